package io.jpod.network;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * An IPv6 network in CIDR form, bits past the prefix cleared; addresses as unsigned 128-bit numbers. Printed in
 * RFC 5952's short form (podman and ip(8) print {@code fd12:3456:789a:1::/64}, never {@code fd12:3456:789a:1:0:0:0:0}).
 */
public record Ipv6Subnet(BigInteger base, int prefix) {
    private static final BigInteger ALL = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    /** Whether a string is meant as an IPv6 address or subnet (IPv4 ones never contain a colon). */
    public static boolean isIpv6(String s) {
        return s.indexOf(':') >= 0;
    }

    /** Parses CIDR; a bad one is podman's "invalid CIDR address: X". */
    public static Ipv6Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        BigInteger a = slash < 0 ? null : address(cidr.substring(0, slash));
        String p = slash < 0 ? "" : cidr.substring(slash + 1);
        if (a == null || p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 128) {
            throw new NetworkException("invalid CIDR address: " + cidr);
        }
        int prefix = Integer.parseInt(p);
        return new Ipv6Subnet(a.and(mask(prefix)), prefix);
    }

    /**
     * A random unique local /64 as podman picks them when `network create --ipv6` names none: fd00::/8 and 56 random
     * bits (RFC 4193's global id and a subnet id). Never slirp4netns's own fd00::/64.
     */
    public static Ipv6Subnet randomUniqueLocal(SecureRandom random) {
        byte[] b = new byte[8];
        do {
            random.nextBytes(b);
            b[0] = (byte) 0xfd;
        } while (b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0);
        return new Ipv6Subnet(new BigInteger(1, b).shiftLeft(64), 64);
    }

    /** An IPv6 address (no zone, no embedded IPv4) as a number, or null when it is not one. */
    public static BigInteger address(String s) {
        if (s.isEmpty() || s.indexOf('%') >= 0 || s.indexOf('.') >= 0) {
            return null;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String[] head = gap < 0 ? s.split(":", -1) : s.substring(0, gap).isEmpty() ? new String[0] : s.substring(0, gap).split(":", -1);
        String[] tail = gap < 0 ? new String[0] : s.substring(gap + 2).isEmpty() ? new String[0] : s.substring(gap + 2).split(":", -1);
        int groups = head.length + tail.length;
        if (gap < 0 ? groups != 8 : groups > 7) {
            return null;
        }
        BigInteger v = BigInteger.ZERO;
        for (int i = 0; i < 8; i++) {
            String g = i < head.length ? head[i] : i >= 8 - tail.length ? tail[i - (8 - tail.length)] : "0";
            if (g.isEmpty() || g.length() > 4 || !g.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return null;
            }
            v = v.shiftLeft(16).or(BigInteger.valueOf(Integer.parseInt(g, 16)));
        }
        return v;
    }

    /** RFC 5952: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
    public static String format(BigInteger a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = a.shiftRight(16 * (7 - i)).intValue() & 0xffff;
        }
        int bestAt = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    static BigInteger mask(int prefix) {
        return ALL.shiftRight(prefix).xor(ALL);
    }

    public boolean contains(BigInteger a) {
        return a.and(mask(prefix)).equals(base);
    }

    public boolean overlaps(Ipv6Subnet o) {
        int p = Math.min(prefix, o.prefix);
        return base.and(mask(p)).equals(o.base.and(mask(p)));
    }

    /** The last address of the network. */
    public BigInteger last() {
        return base.or(mask(prefix).xor(ALL));
    }

    @Override
    public String toString() {
        return format(base) + "/" + prefix;
    }
}
