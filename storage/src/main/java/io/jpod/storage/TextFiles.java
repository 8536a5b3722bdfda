package io.jpod.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Configuration and input files the user wrote (containers.conf, registries.conf, --env-file, --label-file), read as
 * UTF-8 text with one-line errors that name the file and the problem.
 *
 * <p>jpod runs as root of the user's namespace, where a file the user owns is readable whatever its mode (root's
 * DAC override); podman reads these files as the user and fails on a mode-000 one. So a file owned by the caller
 * (uid 0 here) without the owner's read bit is refused as the user would be refused.
 */
public final class TextFiles {
    private TextFiles() {
    }

    /**
     * The file's text.
     *
     * @param what what the file is, for messages ("env file", "configuration file")
     * @throws StorageException unreadable (with the reason), or not UTF-8 (with the offset of the first bad byte)
     * @throws NoSuchFileException the file does not exist (callers decide whether that is an error)
     */
    public static String readUtf8(Path file, String what) throws NoSuchFileException {
        byte[] bytes;
        try {
            refuseUnreadableByOwner(file, what);
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException("cannot read " + what + " " + file + ": " + Fs.describe(e) + "; fix its permissions or remove it");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new StorageException(what + " " + file + " is not UTF-8 text (invalid byte 0x"
                    + String.format("%02x", firstBadByte(bytes) < 0 ? 0 : bytes[firstBadByte(bytes)] & 0xff) + " at offset "
                    + Math.max(0, firstBadByte(bytes)) + "); save it as UTF-8");
        }
    }

    private static void refuseUnreadableByOwner(Path file, String what) throws IOException {
        Map<String, Object> st = Files.readAttributes(file, "unix:uid,mode");
        int uid = (Integer) st.get("uid");
        int mode = (Integer) st.get("mode");
        if (uid == 0 && (mode & 0400) == 0 && Native.isRoot()) { // other owners: the kernel's own check applies
            throw new StorageException("cannot read " + what + " " + file + ": permission denied (mode "
                    + String.format("%03o", mode & 0777) + "); fix its permissions (chmod u+r) or remove it");
        }
    }

    /** Offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
    static int firstBadByte(byte[] b) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(Math.max(16, b.length));
        java.nio.charset.CoderResult r = d.decode(in, out, true);
        return r.isError() ? in.position() : -1;
    }
}
