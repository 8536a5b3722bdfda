package io.jpod.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The service protocol's framing, the same as the monitor's attach socket: {@code type(1) length(4, big-endian)
 * payload}. The frame types are listed in docs/ARCHITECTURE.md ("The per-user service") and in the native
 * client ({@code rootless/src/main/c/client.c}); the two lists must stay identical.
 */
final class ServiceFrames {
    /**
     * client → service: the client's build (first frame), an argument, an environment entry, cwd, umask, its terminal
     * ("STDIN STDOUT STDERR ROWS COLS": 1 for a tty, else 0; the size 0 0 when unknown), its pid, go
     */
    static final byte VERSION = 'V', ARG = 'a', ENV = 'n', CWD = 'c', UMASK = 'u', TERMINAL = 't', CLIENT_PID = 'i', GO = 'g';
    /** client → service, while a handed-over process runs: its pid, then its exit status */
    static final byte PID = 'P', STATUS = 'S';
    /** service → client: same build, other build, refused, stdout, stderr, exit code, run it in-process */
    static final byte SAME_BUILD = 'v', OTHER_BUILD = 'm', REFUSED = 'r', OUT = 'o', ERR = 'e', EXIT = 'x', FALLBACK = 'f';
    /** service → client: run this process with your stdio; send it this signal */
    static final byte PROCESS = 'p', SIGNAL = 'k';
    /** no frame is larger: argv and environments are small; output is sent in pieces */
    static final int MAX_PAYLOAD = 1 << 20;

    record Frame(byte type, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private ServiceFrames() {
    }

    /** The next frame, or null at the end of the stream. */
    static Frame read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int type = d.read();
        if (type < 0) {
            return null;
        }
        int len;
        try {
            len = d.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new IOException("a frame of " + len + " bytes: not a jpod client");
        }
        byte[] payload = d.readNBytes(len);
        if (payload.length != len) {
            return null;
        }
        return new Frame((byte) type, payload);
    }

    /** Writes one frame; callers that share {@code out} between threads synchronise on it. */
    static void write(OutputStream out, byte type, byte[] payload, int off, int len) throws IOException {
        // one write: the client reads a frame's head and payload without waiting for a second packet
        byte[] frame = new byte[5 + len];
        frame[0] = type;
        frame[1] = (byte) (len >>> 24);
        frame[2] = (byte) (len >>> 16);
        frame[3] = (byte) (len >>> 8);
        frame[4] = (byte) len;
        System.arraycopy(payload, off, frame, 5, len);
        out.write(frame);
        out.flush();
    }

    static void write(OutputStream out, byte type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        write(out, type, b, 0, b.length);
    }

    /** NUL-terminated strings in one payload (a process hand-over). */
    static byte[] strings(List<String> items) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String s : items) {
            b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        return b.toByteArray();
    }

    static List<String> strings(byte[] payload) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                out.add(new String(payload, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }
}
