package io.jpod.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * containers-registries.conf(5), version 2: {@code unqualified-search-registries}, {@code [[registry]]} (prefix, location,
 * insecure, blocked, {@code [[registry.mirror]]}) and {@code [aliases]}. Read from {@code $CONTAINERS_REGISTRIES_CONF}, else
 * {@code ~/.config/containers/registries.conf} if it exists, else {@code /etc/containers/registries.conf}, each followed by
 * its {@code registries.conf.d/*.conf} drop-ins; then jpod's own {@code ~/.config/jpod/registries.conf} on top. A later file
 * replaces the search list if it sets one, replaces a registry with the same prefix, and adds aliases.
 */
public record RegistriesConf(List<String> unqualifiedSearchRegistries, List<Registry> registries, Map<String, String> aliases) {

    public record Mirror(String location, boolean insecure) {}

    /** A {@code [[registry]]} table; {@code prefix} defaults to {@code location}. */
    public record Registry(String prefix, String location, boolean insecure, boolean blocked, List<Mirror> mirrors) {
        public Registry {
            mirrors = List.copyOf(mirrors);
        }
    }

    /** One place to try: a reference on a concrete registry (a mirror or the location), and whether plain HTTP is allowed. */
    public record Endpoint(ImageReference ref, boolean insecure, boolean mirror) {}

    public RegistriesConf {
        unqualifiedSearchRegistries = List.copyOf(unqualifiedSearchRegistries);
        registries = List.copyOf(registries);
        aliases = Map.copyOf(aliases);
    }

    public static RegistriesConf empty() {
        return new RegistriesConf(List.of(), List.of(), Map.of());
    }

    /** The files in the order they are read (existing ones only). */
    public static List<Path> files(Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        String explicit = env.get("CONTAINERS_REGISTRIES_CONF");
        String home = env.get("HOME");
        if (explicit != null && !explicit.isBlank()) {
            addWithDropIns(out, Path.of(explicit), false);
        } else {
            Path user = home == null ? null : Path.of(home, ".config/containers/registries.conf");
            if (user != null && Files.isRegularFile(user)) {
                addWithDropIns(out, user, true);
            } else {
                addWithDropIns(out, Path.of("/etc/containers/registries.conf"), true);
            }
        }
        if (home != null) {
            Path own = Path.of(home, ".config/jpod/registries.conf");
            if (Files.isRegularFile(own)) {
                out.add(own);
            }
        }
        return out;
    }

    private static void addWithDropIns(List<Path> out, Path file, boolean dropIns) {
        if (Files.isRegularFile(file)) {
            out.add(file);
        }
        Path dir = file.resolveSibling(file.getFileName() + ".d");
        if (dropIns && Files.isDirectory(dir)) {
            List<Path> confs = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.conf")) {
                ds.forEach(confs::add);
            } catch (IOException e) {
                throw new ImageException("cannot read " + dir + ": " + e.getMessage());
            }
            confs.sort(null);
            out.addAll(confs);
        }
    }

    /**
     * Whether any configuration file has a {@code [[registry]]} table, i.e. could rewrite, mirror or block a fully
     * qualified name. A line scan, so a pull by full name skips the TOML parser (~0.2 s of class loading) when the
     * files only hold aliases and search registries.
     */
    public static boolean hasRegistryTables(Map<String, String> env) {
        for (Path f : files(env)) {
            try {
                for (String line : Files.readAllLines(f)) {
                    if (line.strip().startsWith("[[registry")) {
                        return true;
                    }
                }
            } catch (IOException e) {
                return true; // let load() report the problem
            }
        }
        return false;
    }

    public static RegistriesConf load(Map<String, String> env) {
        RegistriesConf conf = empty();
        for (Path f : files(env)) {
            try {
                conf = conf.overlay(parse(io.jpod.storage.TextFiles.readUtf8(f, "configuration file"), f.toString()));
            } catch (java.nio.file.NoSuchFileException e) {
                // removed since it was listed
            }
        }
        return conf;
    }

    /** Parses one file's TOML; {@code source} names it in errors. */
    public static RegistriesConf parse(String toml, String source) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (IOException e) {
            throw new ImageException(source + " is not valid TOML: " + ManifestParser.oneLine(String.valueOf(e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()))
                    + "; fix it (see containers-registries.conf(5))");
        }
        if (root == null) {
            return empty();
        }
        if (root.has("registries") && root.get("registries").isObject()) {
            throw new ImageException(source + " uses the version 1 format ([registries.search]); jpod reads version 2 only"
                    + " (unqualified-search-registries, [[registry]]), see containers-registries.conf(5)");
        }
        List<String> search = new ArrayList<>();
        boolean hasSearch = root.has("unqualified-search-registries");
        for (JsonNode n : root.path("unqualified-search-registries")) {
            search.add(n.asText());
        }
        List<Registry> regs = new ArrayList<>();
        for (JsonNode r : root.path("registry")) {
            String location = text(r, "location");
            String prefix = text(r, "prefix");
            if (prefix == null) {
                prefix = location;
            }
            if (prefix == null || prefix.isEmpty()) {
                throw new ImageException(source + ": a [[registry]] has neither prefix nor location");
            }
            List<Mirror> mirrors = new ArrayList<>();
            for (JsonNode m : r.path("mirror")) {
                String ml = text(m, "location");
                if (ml == null || ml.isEmpty()) {
                    throw new ImageException(source + ": a [[registry.mirror]] of " + prefix + " has no location");
                }
                mirrors.add(new Mirror(ml, m.path("insecure").asBoolean(false)));
            }
            regs.add(new Registry(prefix, location == null || location.isEmpty() ? null : location, r.path("insecure").asBoolean(false),
                    r.path("blocked").asBoolean(false), mirrors));
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.path("aliases").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            aliases.put(e.getKey(), e.getValue().asText());
        }
        // an absent key must not wipe an earlier file's list: mark "unset" with null
        return new RegistriesConf(hasSearch ? search : List.of(), regs, aliases).withSearchSet(hasSearch);
    }

    private RegistriesConf withSearchSet(boolean set) {
        return set ? this : new RegistriesConf(List.of(UNSET), registries, aliases);
    }

    /** Marker for "this file does not set unqualified-search-registries". */
    private static final String UNSET = "\u0000unset";

    RegistriesConf overlay(RegistriesConf top) {
        List<String> search = top.unqualifiedSearchRegistries.equals(List.of(UNSET)) ? unqualifiedSearchRegistries : top.unqualifiedSearchRegistries;
        List<Registry> regs = new ArrayList<>(registries);
        for (Registry r : top.registries) {
            regs.removeIf(old -> old.prefix().equals(r.prefix()));
            regs.add(r);
        }
        Map<String, String> al = new LinkedHashMap<>(aliases);
        al.putAll(top.aliases);
        return new RegistriesConf(search, regs, al);
    }

    public List<String> searchRegistries() {
        return unqualifiedSearchRegistries.equals(List.of(UNSET)) ? List.of() : unqualifiedSearchRegistries;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    // ---------------------------------------------------------------- resolution

    /** Whether {@code name} has no registry part ("alpine", "library/alpine:3"), as the distribution grammar decides. */
    public static boolean isShortName(String name) {
        String rest = name;
        int at = rest.indexOf('@');
        if (at >= 0) {
            rest = rest.substring(0, at);
        }
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return true;
        }
        String first = rest.substring(0, slash);
        return !(first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost") || first.startsWith("["));
    }

    /**
     * The fully qualified names a user's name stands for, in the order to try: the name itself if qualified; an alias;
     * else one per search registry; docker.io when none is configured (jpod's default, as docker does).
     */
    public List<ImageReference> candidates(String name) {
        if (!isShortName(name)) {
            return List.of(ImageReference.parse(name));
        }
        ImageReference dockerHubForm = ImageReference.parse(name); // validates, splits tag/digest
        String bare = stripTagAndDigest(name);
        String alias = aliases.get(bare);
        String suffix = name.substring(bare.length());
        if (alias != null) {
            return List.of(ImageReference.parse(alias + suffix));
        }
        List<String> search = searchRegistries();
        if (search.isEmpty()) {
            return List.of(dockerHubForm);
        }
        List<ImageReference> out = new ArrayList<>();
        for (String reg : search) {
            out.add(ImageReference.parse(reg + "/" + name));
        }
        return out;
    }

    private static String stripTagAndDigest(String name) {
        String rest = name;
        int at = rest.indexOf('@');
        if (at >= 0) {
            rest = rest.substring(0, at);
        }
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            rest = rest.substring(0, colon);
        }
        return rest;
    }

    /** The [[registry]] whose prefix matches {@code ref} longest, or null. */
    public Registry match(ImageReference ref) {
        String full = ref.repositoryName();
        Registry best = null;
        for (Registry r : registries) {
            String p = r.prefix();
            if (p.startsWith("*.")) {
                String host = ref.registry();
                if (host.endsWith(p.substring(1)) && (best == null || p.length() > best.prefix().length())) {
                    best = r;
                }
                continue;
            }
            boolean matches = full.equals(p) || full.startsWith(p + "/")
                    || (ref.registry().equals(ImageReference.DOCKER_HUB) && (p.equals("docker.io/library") && full.startsWith(p + "/")));
            if (matches && (best == null || p.length() > best.prefix().length())) {
                best = r;
            }
        }
        return best;
    }

    /** Where to pull {@code ref} from: mirrors first, then the location (prefix rewritten); refuses blocked registries. */
    public List<Endpoint> endpoints(ImageReference ref) {
        Registry r = match(ref);
        if (r == null) {
            return List.of(new Endpoint(ref, false, false));
        }
        if (r.blocked()) {
            throw new ImageException("registry " + r.prefix() + " is blocked in registries.conf; \"" + ref.name() + "\" cannot be pulled");
        }
        List<Endpoint> out = new ArrayList<>();
        for (Mirror m : r.mirrors()) {
            out.add(new Endpoint(rewrite(ref, r.prefix(), m.location()), m.insecure(), true));
        }
        out.add(new Endpoint(r.location() == null ? ref : rewrite(ref, r.prefix(), r.location()), r.insecure(), false));
        return out;
    }

    private static ImageReference rewrite(ImageReference ref, String prefix, String location) {
        if (prefix.startsWith("*.")) {
            return ImageReference.parse(location + "/" + ref.repository() + suffix(ref));
        }
        String full = ref.repositoryName();
        String rest = full.substring(prefix.length()); // "" or "/…"
        return ImageReference.parse(location + rest + suffix(ref));
    }

    private static String suffix(ImageReference ref) {
        return (ref.tag() != null ? ":" + ref.tag() : "") + (ref.digest() != null ? "@" + ref.digest() : "");
    }
}
