package io.jpod.rootless;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a uid_map/gid_map: {@code size} ids starting at {@code containerId} inside the namespace
 * map onto ids starting at {@code hostId} outside.
 */
public record IdMapping(long containerId, long hostId, long size) {

    /**
     * The rootless layout podman uses: root inside is the user itself, and ids 1.. are the
     * subordinate ranges laid end to end.
     */
    public static List<IdMapping> rootless(long ownId, List<IdRange> subordinate) {
        List<IdMapping> maps = new ArrayList<>();
        maps.add(new IdMapping(0, ownId, 1));
        long next = 1;
        for (IdRange range : subordinate) {
            maps.add(new IdMapping(next, range.start(), range.count()));
            next += range.count();
        }
        return List.copyOf(maps);
    }

    /** The argument form newuidmap/newgidmap take: "0 1000 1 1 100000 65536". */
    public static String toArgument(List<IdMapping> maps) {
        StringBuilder sb = new StringBuilder();
        for (IdMapping m : maps) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(m.containerId()).append(' ').append(m.hostId()).append(' ').append(m.size());
        }
        return sb.toString();
    }
}
