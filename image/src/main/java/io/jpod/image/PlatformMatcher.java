package io.jpod.image;

import java.util.ArrayList;
import java.util.List;

/** Chooses the manifest for a platform out of an index, the way containerd's platform matcher does. */
public final class PlatformMatcher {
    private PlatformMatcher() {
    }

    /**
     * Rules (after normalising names, see {@link Platform#normalized()}): os and architecture must be equal.
     * A requested variant must be equal, except that an older arm variant is an acceptable fallback (v7 runs v6, v5).
     * Without a requested variant the architecture's default variant (or none) is preferred, then any variant.
     * Ties go to the first entry of the index. Entries without a platform or of unknown media type are ignored.
     */
    public static Descriptor select(ImageIndex index, Platform wanted, String image) {
        Platform w = wanted.normalized();
        boolean variantRequested = wanted.variant() != null && !wanted.variant().isEmpty();
        Descriptor best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Descriptor d : index.manifests()) {
            if (d.platform() == null || !isManifestType(d.mediaType())) {
                continue;
            }
            Platform p = d.platform().normalized();
            if (p.os() == null || p.architecture() == null || !p.os().equals(w.os()) || !p.architecture().equals(w.architecture())) {
                continue;
            }
            int rank = rank(p, w, variantRequested);
            if (rank < bestRank) {
                best = d;
                bestRank = rank;
            }
        }
        if (best == null) {
            throw new ImageException("image \"" + image + "\" has no manifest for platform " + wanted
                    + "; available platforms: " + available(index));
        }
        return best;
    }

    /** Lower is better; MAX_VALUE means no match. */
    private static int rank(Platform p, Platform w, boolean variantRequested) {
        String pv = p.variant();
        String wv = w.variant();
        if (variantRequested) {
            if (wv.equals(pv)) {
                return 0;
            }
            if (p.architecture().equals("arm") && armVersion(pv) > 0 && armVersion(wv) > 0 && armVersion(pv) < armVersion(wv)) {
                return armVersion(wv) - armVersion(pv);
            }
            return Integer.MAX_VALUE;
        }
        String def = defaultVariant(p.architecture());
        if (pv == null || pv.equals(def)) {
            return 0;
        }
        return 100;
    }

    private static String defaultVariant(String arch) {
        switch (arch) {
            case "arm64":
                return "v8";
            case "arm":
                return "v7";
            case "amd64":
                return "v1";
            default:
                return null;
        }
    }

    private static int armVersion(String v) {
        if (v == null || !v.matches("v[0-9]+")) {
            return -1;
        }
        return Integer.parseInt(v.substring(1));
    }

    private static boolean isManifestType(String mediaType) {
        // Docker manifest lists always carry a media type; OCI indexes may omit it.
        return mediaType == null || MediaTypes.isImageManifest(mediaType);
    }

    /** "linux/amd64, linux/arm64/v8" — without attestation entries (unknown/unknown). */
    static String available(ImageIndex index) {
        List<String> names = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            Platform p = d.platform();
            if (p == null || "unknown".equals(p.os()) || "unknown".equals(p.architecture()) || !isManifestType(d.mediaType())) {
                continue;
            }
            String name = p.toString();
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }
}
