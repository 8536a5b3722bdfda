package io.jpod.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Follows the 512-byte block structure of a tar stream as it passes and refuses a PAX ('x', 'g') or GNU long name
 * ('L', 'K') header whose data is larger than {@link #MAX_SPECIAL}, before the tar reader would buffer all of it in
 * memory (commons-compress reads such headers whole). 1 MiB is Go's archive/tar limit (maxSpecialFileSize), so no
 * layer podman accepts is refused.
 *
 * <p>The tracking needs the size of every entry's data: it comes from the header (octal or base-256) unless a PAX
 * header before it carries a {@code size} record, which is why PAX data (at most 1 MiB) is looked at. Anything the
 * tracker does not understand (GNU sparse extension headers) turns tracking off rather than refuse a valid layer: the
 * limit is a defence against memory exhaustion, not a validator.
 */
final class TarHeaderLimiter extends ReadThroughInputStream {
    static final int MAX_SPECIAL = 1 << 20;
    private static final int BLOCK = 512;

    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    /** Bytes of entry data (padded to blocks) still to pass before the next header. */
    private long skip;
    /** Collected PAX data of the current 'x' header, to find a size override; null when not collecting. */
    private byte[] pax;
    private int paxFill;
    private long nextSizeOverride = -1;
    private boolean off;

    TarHeaderLimiter(InputStream in) {
        super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0 && !this.off) {
            track(b, off, n);
        }
        return n;
    }

    private void track(byte[] b, int from, int n) {
        int i = from;
        int end = from + n;
        while (i < end && !off) {
            if (skip > 0) {
                int take = (int) Math.min(skip, end - i);
                if (pax != null) {
                    int copy = Math.min(take, pax.length - paxFill);
                    System.arraycopy(b, i, pax, paxFill, Math.max(copy, 0));
                    paxFill += Math.max(copy, 0);
                }
                skip -= take;
                i += take;
                if (skip == 0 && pax != null) {
                    nextSizeOverride = paxSize(pax, paxFill);
                    pax = null;
                }
                continue;
            }
            int take = Math.min(BLOCK - headerFill, end - i);
            System.arraycopy(b, i, header, headerFill, take);
            headerFill += take;
            i += take;
            if (headerFill == BLOCK) {
                headerFill = 0;
                header();
            }
        }
    }

    private void header() {
        boolean zero = true;
        for (byte x : header) {
            if (x != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return; // end-of-archive blocks (two of them, then padding): nothing more to check
        }
        byte type = header[156];
        long size = size();
        if (size < 0) {
            off = true; // not a header we can read; the tar reader will judge it
            return;
        }
        boolean special = type == 'x' || type == 'g' || type == 'L' || type == 'K';
        if (special && size > MAX_SPECIAL) {
            String kind = type == 'x' || type == 'g' ? "PAX header" : "GNU long name header";
            throw new StorageException("the layer has a " + kind + " of " + size + " bytes (at most " + MAX_SPECIAL
                    + " are accepted, as by podman); the image is corrupt or hostile");
        }
        if (type == 'S' && header[482] != 0) {
            off = true; // GNU sparse with extension headers: more header blocks follow; stop tracking
            return;
        }
        long data = size;
        if (!special && nextSizeOverride >= 0) {
            data = nextSizeOverride;
        }
        if (!special) {
            nextSizeOverride = -1;
        }
        if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
            data = 0; // links, devices, dirs and FIFOs carry no data whatever the size field says
        }
        skip = (data + BLOCK - 1) / BLOCK * BLOCK;
        if (type == 'x' && skip > 0) {
            pax = new byte[(int) size];
            paxFill = 0;
        }
    }

    /** The size field: octal, or base-256 when the high bit of the first byte is set; -1 when unreadable. */
    private long size() {
        if ((header[124] & 0x80) != 0) {
            long v = 0;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        boolean digits = false;
        for (int i = 124; i < 136; i++) {
            byte c = header[i];
            if (c == 0 || c == ' ') {
                if (digits) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            digits = true;
            v = v * 8 + (c - '0');
        }
        return v;
    }

    /** The value of a "size" record in PAX data ("LEN size=VALUE\n", LEN counting bytes), or -1. */
    static long paxSize(byte[] data, int len) {
        int pos = 0;
        long found = -1;
        while (pos < len) {
            int sp = pos;
            int recLen = 0;
            while (sp < len && data[sp] >= '0' && data[sp] <= '9' && recLen < 100_000_000) {
                recLen = recLen * 10 + (data[sp] - '0');
                sp++;
            }
            if (sp >= len || data[sp] != ' ' || recLen <= sp - pos + 1 || pos + recLen > len) {
                break;
            }
            int recEnd = pos + recLen; // exclusive; the byte before it is '\n'
            String rec = new String(data, sp + 1, recEnd - 1 - (sp + 1), StandardCharsets.UTF_8);
            if (rec.startsWith("size=")) {
                try {
                    found = Long.parseLong(rec.substring(5));
                } catch (NumberFormatException e) {
                    found = -1;
                }
            }
            pos = recEnd;
        }
        return found;
    }
}
