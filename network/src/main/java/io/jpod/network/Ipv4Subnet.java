package io.jpod.network;

/** An IPv4 network in CIDR form (address bits past the prefix cleared, as podman stores `10.97.3.5/24` as `10.97.3.0/24`). */
public record Ipv4Subnet(int base, int prefix) {

    /** Parses CIDR; a bad one is podman's "invalid CIDR address: X". */
    public static Ipv4Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new NetworkException("invalid CIDR address: " + cidr);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new NetworkException("invalid CIDR address: " + cidr);
        }
        Integer addr = address(cidr.substring(0, slash));
        if (addr == null || prefix < 0 || prefix > 32 || cidr.substring(slash + 1).startsWith("+")) {
            throw new NetworkException("invalid CIDR address: " + cidr);
        }
        return new Ipv4Subnet(addr & mask(prefix), prefix);
    }

    /** A dotted quad as an int, or null when it is not one. */
    public static Integer address(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int b = Integer.parseInt(p);
            if (b > 255) {
                return null;
            }
            v = (v << 8) | b;
        }
        return v;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public boolean contains(int a) {
        return (a & mask(prefix)) == base;
    }

    public boolean overlaps(Ipv4Subnet o) {
        int p = Math.min(prefix, o.prefix);
        return (base & mask(p)) == (o.base & mask(p));
    }

    /** The last address (broadcast). */
    public int last() {
        return base | ~mask(prefix);
    }

    @Override
    public String toString() {
        return format(base) + "/" + prefix;
    }
}
