package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.io.ByteArrayOutputStream;

/**
 * `attach` and `start -a -i` options, podman's meaning.
 *
 * @param detachKeys the key sequence that detaches (podman's syntax: "ctrl-p,ctrl-q", single characters or
 *                   ctrl-[a-z@[\]^_], comma-separated; "" disables detaching; null: the default ctrl-p,ctrl-q)
 * @param noStdin    do not relay the caller's stdin
 * @param sigProxy   forward the signals jpod receives to the container (not with -t, where ^C is a byte)
 */
public record AttachOptions(String detachKeys, boolean noStdin, boolean sigProxy) {
    public static final String DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";
    public static final AttachOptions DEFAULT = new AttachOptions(null, false, true);

    /** The detach sequence as bytes (empty: detaching is off). */
    public byte[] detachBytes() {
        String spec = detachKeys == null ? DEFAULT_DETACH_KEYS : detachKeys;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (spec.isEmpty()) {
            return out.toByteArray();
        }
        for (String part : spec.split(",", -1)) {
            if (part.length() == 1) {
                out.write(part.charAt(0));
            } else if (part.startsWith("ctrl-") && part.length() == 6) {
                char c = Character.toLowerCase(part.charAt(5));
                int b = c >= 'a' && c <= 'z' ? c - 'a' + 1 : "@[\\]^_".indexOf(c) >= 0 ? "@[\\]^_".indexOf(c) + (c == '@' ? 0 : 26) : -1;
                if (b < 0) {
                    throw bad(spec);
                }
                out.write(b);
            } else {
                throw bad(spec);
            }
        }
        if (out.size() > 16) {
            throw new EngineException("--detach-keys \"" + spec + "\" is too long: at most 16 keys");
        }
        return out.toByteArray();
    }

    /** For the helper: decimal bytes, comma-separated, or "-" for none. */
    String helperArgument() {
        byte[] b = detachBytes();
        if (b.length == 0) {
            return "-";
        }
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(s.isEmpty() ? "" : ",").append(x & 0xff);
        }
        return s.toString();
    }

    private static EngineException bad(String spec) {
        return new EngineException("invalid --detach-keys \"" + spec
                + "\": use comma-separated single characters or ctrl-<a-z, @, [, \\, ], ^, _>, e.g. ctrl-p,ctrl-q");
    }
}
