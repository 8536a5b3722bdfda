package io.jpod.cli;

import io.jpod.engine.pod.PodListReport;
import io.jpod.storage.ContainerState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `pod ps` rendered from {@link PodListReport}: podman's `--format json` object and the fields its Go templates
 * (and the table) read, so the three agree on one row.
 */
final class PodRows {
    private PodRows() {
    }

    /** podman's `pod ps --format json` object of a row. */
    static Map<String, Object> json(PodListReport row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Cgroup", "");
        List<Map<String, Object>> list = new ArrayList<>();
        if (row.infraId() != null) {
            list.add(member(row.infraId(), row.infraName(), row.infraState()));
        }
        for (PodListReport.Member c : row.containers()) {
            list.add(member(c.id(), c.name(), c.state()));
        }
        m.put("Containers", list);
        m.put("Created", row.created() == null ? null : row.created().toString());
        m.put("Id", row.id());
        m.put("InfraId", row.infraId() == null ? "" : row.infraId());
        m.put("Name", row.name());
        m.put("Namespace", "");
        m.put("Networks", List.of());
        m.put("Status", row.state());
        m.put("Labels", row.labels());
        return m;
    }

    private static Map<String, Object> member(String id, String name, ContainerState state) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("Id", id);
        e.put("Names", name);
        e.put("Status", state.value());
        return e;
    }

    /** The placeholders podman's `pod ps --format` offers, by the same names; ids cut to 12 unless {@code noTrunc}. */
    static Map<String, Object> template(PodListReport r, boolean noTrunc) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", id(r.id(), noTrunc));
        m.put("Name", r.name());
        m.put("Status", r.state());
        m.put("Created", Formats.ago(r.created()));
        m.put("InfraID", r.infraId() == null ? "" : id(r.infraId(), noTrunc));
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        if (r.infraId() != null) {
            ids.add(id(r.infraId(), noTrunc));
            names.add(r.infraName());
            statuses.add(r.infraState().value());
        }
        for (PodListReport.Member c : r.containers()) {
            ids.add(id(c.id(), noTrunc));
            names.add(c.name());
            statuses.add(c.state().value());
        }
        m.put("NumberOfContainers", ids.size());
        m.put("ContainerIds", String.join(",", ids));
        m.put("ContainerNames", String.join(",", names));
        m.put("ContainerStatuses", String.join(",", statuses));
        m.put("Labels", r.labels());
        m.put("Cgroup", "");
        m.put("Namespace", "");
        m.put("Networks", "");
        return m;
    }

    private static String id(String id, boolean noTrunc) {
        return noTrunc ? id : id.substring(0, 12);
    }
}
