package io.jpod.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.storage.ImageRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * podman's "intermediate images", which `images` lists only with -a: unnamed images that are the parent of another
 * image — here, whose history is a strict prefix of another image's (what each `jpod build` step leaves behind).
 * Configs are read only when there are unnamed images.
 */
final class IntermediateImages {
    private IntermediateImages() {
    }

    static List<ImageRecord> hide(ImageCommands commands, List<ImageRecord> images) {
        if (images.stream().allMatch(r -> !r.names().isEmpty())) {
            return images;
        }
        Map<String, JsonNode> history = new HashMap<>();
        for (ImageRecord r : images) {
            Object h = commands.inspect(r.id()).get("History");
            history.put(r.id(), h instanceof JsonNode n ? n : null);
        }
        List<ImageRecord> shown = new ArrayList<>();
        for (ImageRecord r : images) {
            if (!r.names().isEmpty() || !isParent(history.get(r.id()), r.id(), history)) {
                shown.add(r);
            }
        }
        return shown;
    }

    private static boolean isParent(JsonNode mine, String id, Map<String, JsonNode> all) {
        if (mine == null || !mine.isArray() || mine.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : all.entrySet()) {
            JsonNode other = e.getValue();
            if (e.getKey().equals(id) || other == null || !other.isArray() || other.size() <= mine.size()) {
                continue;
            }
            boolean prefix = true;
            for (int i = 0; i < mine.size() && prefix; i++) {
                prefix = mine.get(i).equals(other.get(i));
            }
            if (prefix) {
                return true;
            }
        }
        return false;
    }
}
