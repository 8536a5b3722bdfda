package io.jpod.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/** Platform of an image index entry. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Platform(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        @JsonProperty("variant") String variant) {

    public Platform {
        osFeatures = Immutable.list(osFeatures);
    }

    public static Platform of(String os, String architecture, String variant) {
        return new Platform(architecture, os, null, null, variant);
    }

    /** Parses "os/arch[/variant]" (e.g. linux/arm64/v8); null or empty means the host platform. */
    public static Platform parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return host();
        }
        String[] parts = spec.trim().split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new ImageException("invalid platform \"" + spec + "\": expected os/arch[/variant], e.g. linux/amd64");
        }
        for (String p : parts) {
            if (p.isEmpty()) {
                throw new ImageException("invalid platform \"" + spec + "\": expected os/arch[/variant], e.g. linux/amd64");
            }
        }
        Platform p = of(parts[0].toLowerCase(Locale.ROOT), parts[1].toLowerCase(Locale.ROOT),
                parts.length == 3 ? parts[2].toLowerCase(Locale.ROOT) : null);
        Platform n = p.normalized();
        if (!KNOWN_OS.contains(n.os())) {
            throw new ImageException("invalid platform \"" + spec + "\": unknown operating system \"" + parts[0]
                    + "\"; give os/arch[/variant], e.g. linux/amd64");
        }
        if (!KNOWN_ARCH.contains(n.architecture())) {
            throw new ImageException("invalid platform \"" + spec + "\": unknown architecture \"" + parts[1]
                    + "\"; give os/arch[/variant], e.g. linux/arm64");
        }
        return p;
    }

    /** The operating systems and architectures image platforms are named with (Go's GOOS and GOARCH values). */
    private static final java.util.Set<String> KNOWN_OS = java.util.Set.of("aix", "android", "darwin", "dragonfly",
            "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1",
            "windows", "zos");
    private static final java.util.Set<String> KNOWN_ARCH = java.util.Set.of("386", "amd64", "amd64p32", "arm", "arm64",
            "arm64be", "armbe", "loong64", "mips", "mips64", "mips64le", "mips64p32", "mips64p32le", "mipsle", "ppc",
            "ppc64", "ppc64le", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm");

    /** Whether an image whose config says os/architecture/variant is of this platform (variant only when both have one). */
    public boolean matches(String os, String architecture, String variant) {
        if (os == null || architecture == null) {
            return true; // nothing to compare: podman keeps such images too
        }
        Platform got = of(os, architecture, variant).normalized();
        Platform want = normalized();
        return got.os().equals(want.os()) && got.architecture().equals(want.architecture())
                && (variant == null || variant.isEmpty() || this.variant == null || got.variant().equals(want.variant()));
    }

    /** The platform this JVM runs on, in OCI terms (os.arch "amd64"/"x86_64" → amd64, "aarch64" → arm64). */
    public static Platform host() {
        return of("linux", System.getProperty("os.arch", "amd64"), null).normalized();
    }

    /** Canonical names as containerd uses them: x86_64 → amd64, aarch64 → arm64, armhf → arm/v7, arm64 has variant v8 by default. */
    public Platform normalized() {
        String o = os == null ? null : os.toLowerCase(Locale.ROOT);
        String a = architecture == null ? null : architecture.toLowerCase(Locale.ROOT);
        String v = variant == null || variant.isEmpty() ? null : variant.toLowerCase(Locale.ROOT);
        if (a != null) {
            switch (a) {
                case "x86_64":
                case "x86-64":
                    a = "amd64";
                    break;
                case "aarch64":
                    a = "arm64";
                    break;
                case "armhf":
                    a = "arm";
                    v = "v7";
                    break;
                case "armel":
                    a = "arm";
                    v = "v6";
                    break;
                case "i386":
                case "i486":
                case "i586":
                case "i686":
                case "x86":
                    a = "386";
                    break;
                default:
                    break;
            }
            if (a.equals("arm64") && (v == null || v.equals("8"))) {
                v = "v8";
            } else if (a.equals("arm") && v != null && v.matches("[0-9]+")) {
                v = "v" + v;
            } else if (a.equals("amd64") && v == null) {
                v = "v1";
            }
        }
        return new Platform(a, o, osVersion, osFeatures, v);
    }

    /** "os/arch[/variant]". */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
