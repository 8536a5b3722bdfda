package io.jpod.engine.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.GoDuration;
import io.jpod.engine.NoSuchImageException;
import io.jpod.engine.image.PullPolicy;
import io.jpod.engine.container.RunRequest;
import io.jpod.storage.DiffWalker;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import io.jpod.storage.StoreMaintenance;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * `jpod build`: runs a Containerfile's needed stages step by step. Every step is an image (metadata steps add a
 * config change and an empty_layer history entry; RUN, COPY and ADD a layer made from a container's changes by the
 * machinery of `jpod commit`), and every step's image is remembered in the {@link LayerCache} under its key, so a
 * rebuild reuses exactly the steps whose inputs did not change. RUN runs in an ordinary jpod container of the
 * previous step's image, which never sees the build context; COPY/ADD write into a created (never started)
 * container's rootfs.
 */
public final class ImageBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
    private static final List<String> PROXY_ARGS = List.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
            "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    private final Engine engine;
    private final Store store;
    private final String driverName;
    private final BuildRequest req;
    private final PrintStream out;
    private final LayerCache cache;
    private final ImageWriter writer;
    private final IgnoreRules ignore;
    private Containerfile file;
    private final Map<Integer, String> stageImages = new HashMap<>();

    public ImageBuilder(Engine engine, Store store, String driverName, BuildRequest req, PrintStream out) {
        this.engine = engine;
        this.store = store;
        this.driverName = driverName;
        this.req = req;
        this.out = req.quiet() ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out;
        this.cache = new LayerCache(store);
        this.writer = new ImageWriter(store, req.format());
        this.ignore = IgnoreRules.of(req.context(), req.ignoreFile());
    }

    /** Builds and tags; returns the image id ("sha256:…"). */
    public String build() {
        io.jpod.engine.Trace.mark("build: start");
        file = Containerfile.parse(req.containerfile(), req.fileName());
        Containerfile.Plan plan = file.plan();
        Map<String, String> globals = predefinedArgs();
        for (Instruction a : plan.globalArgs()) {
            for (Map.Entry<String, String> e : expanding(a, () -> KeyValues.args(a.args(), globals::get, file.escape()))) {
                globals.put(e.getKey(), req.buildArgs().getOrDefault(e.getKey(), e.getValue() == null ? "" : e.getValue()));
            }
        }
        List<Containerfile.Stage> stages = plan.stages();
        Containerfile.Stage target = stages.get(stages.size() - 1);
        if (req.target() != null) {
            target = stages.stream().filter(s -> req.target().equalsIgnoreCase(s.name())).findFirst()
                    .orElseThrow(() -> new EngineException("the target \"" + req.target() + "\" was not found in "
                            + req.fileName() + ": name a stage given by FROM … AS NAME"));
        }
        Set<Integer> needed = new LinkedHashSet<>();
        need(target, stages, globals, needed);
        List<Containerfile.Stage> toBuild = stages.stream().filter(s -> needed.contains(s.index())).toList();
        String id = null;
        for (int i = 0; i < toBuild.size(); i++) {
            Containerfile.Stage s = toBuild.get(i);
            String prefix = toBuild.size() > 1 ? "[" + (i + 1) + "/" + toBuild.size() + "] " : "";
            id = buildStage(s, stages, globals, prefix, s == target);
            stageImages.put(s.index(), id);
            if (s != target) {
                out.println("--> " + shortId(id));
            }
        }
        io.jpod.engine.Trace.mark("build: stages built");
        if (!req.tags().isEmpty()) {
            engine.images().tag(id, req.tags());
            List<String> names = store.images().get(id).orElseThrow().names();
            for (String t : req.tags()) {
                String bare = t.contains(":") && !t.substring(t.lastIndexOf(':')).contains("/") ? t : t + ":latest";
                names.stream().filter(n -> n.equals(bare) || n.endsWith("/" + bare)).findFirst()
                        .ifPresent(n -> out.println("Successfully tagged " + n));
            }
        }
        return id;
    }

    /** The stages the target needs: those its FROM, COPY --from and RUN --mount from= name, transitively. */
    private void need(Containerfile.Stage stage, List<Containerfile.Stage> stages, Map<String, String> globals, Set<Integer> needed) {
        if (needed.contains(stage.index())) {
            return;
        }
        List<String> refs = new ArrayList<>();
        refs.add(expanding(stage.from(), () -> ShellWords.expand(ShellWords.rawWords(stage.from().args(), file.escape()).get(0), globals::get, file.escape())));
        for (Instruction in : stage.body()) {
            if ((in.keyword().equals("COPY") || in.keyword().equals("ADD")) && in.flag("from") != null) {
                refs.add(in.flag("from"));
            }
            if (in.keyword().equals("RUN")) {
                refs.addAll(RunMounts.fromRefs(in.flags())); // RUN --mount=…,from=STAGE
            }
        }
        for (String ref : refs) {
            Containerfile.Stage dep = stageRef(ref, stages, stage.index());
            if (dep != null) {
                need(dep, stages, globals, needed);
            }
        }
        needed.add(stage.index());
    }

    private static Containerfile.Stage stageRef(String ref, List<Containerfile.Stage> stages, int before) {
        for (Containerfile.Stage s : stages) {
            if (s.index() < before && (ref.equalsIgnoreCase(s.name()) || ref.equals(Integer.toString(s.index())))) {
                return s;
            }
        }
        return null;
    }

    /** What one stage carries from step to step. */
    private static final class State {
        ImageRecord image; // null: scratch with nothing yet
        ObjectNode config;
        final Map<String, String> args = new LinkedHashMap<>();
        boolean cmdSet;

        ObjectNode c() {
            return config.with("config");
        }

        String env(String name) {
            JsonNode env = c().path("Env");
            for (JsonNode e : env) {
                String s = e.asText();
                if (s.startsWith(name + "=")) {
                    return s.substring(name.length() + 1);
                }
            }
            return null;
        }

        /** Docker's lookup for expansion: ENV wins over ARG. */
        String lookup(String name) {
            String v = env(name);
            return v != null ? v : args.get(name);
        }

        String workdir() {
            String w = c().path("WorkingDir").asText("");
            return w.isEmpty() ? "/" : w;
        }

        List<String> shell() {
            JsonNode s = c().path("Shell");
            if (s.isArray() && !s.isEmpty()) {
                List<String> l = new ArrayList<>();
                s.forEach(x -> l.add(x.asText()));
                return l;
            }
            return DEFAULT_SHELL;
        }
    }

    private String buildStage(Containerfile.Stage stage, List<Containerfile.Stage> stages, Map<String, String> globals,
                              String prefix, boolean isTarget) {
        int total = stage.body().size() + 1;
        State st = new State();
        Instruction from = stage.from();
        out.println(prefix + "STEP 1/" + total + ": " + from.text());
        String base = expanding(from, () -> ShellWords.expand(ShellWords.rawWords(from.args(), file.escape()).get(0), globals::get, file.escape()));
        Containerfile.Stage dep = stageRef(base, stages, stage.index());
        if (dep != null) {
            st.image = store.images().get(stageImages.get(dep.index())).orElseThrow();
        } else if (!base.equalsIgnoreCase("scratch")) {
            st.image = baseImage(base, from);
        }
        st.config = st.image == null ? scratchConfig() : readConfig(st.image.id());
        ImageRecord stageBase = st.image;
        io.jpod.engine.Trace.mark("build: base image");
        onBuildTriggers(st, globals, stages, stage.index(), prefix, from);
        boolean lastStepDone = false;
        for (int i = 0; i < stage.body().size(); i++) {
            Instruction in = stage.body().get(i);
            boolean last = i == stage.body().size() - 1;
            out.println(prefix + "STEP " + (i + 2) + "/" + total + ": " + in.text());
            io.jpod.engine.Trace.mark("build: step " + (i + 2) + " " + in.keyword());
            step(in, st, globals, stages, stage.index());
            if (last && isTarget) {
                out.println(prefix + "COMMIT" + (req.tags().isEmpty() ? "" : " " + req.tags().get(0)));
                lastStepDone = true;
            }
            if (!last || isTarget) {
                out.println("--> " + shortId(imageId(st)));
            }
        }
        if (isTarget && !lastStepDone) {
            out.println(prefix + "COMMIT" + (req.tags().isEmpty() ? "" : " " + req.tags().get(0)));
        }
        if (isTarget && !req.labels().isEmpty()) {
            StringBuilder text = new StringBuilder("LABEL");
            new java.util.TreeMap<>(req.labels()).forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
            metadata(st, text.toString(), c -> req.labels().forEach((k, v) -> c.with("Labels").put(k, v)));
        }
        if (st.image == null) { // FROM scratch and nothing else: an empty image
            metadata(st, "FROM scratch", c -> { });
        }
        if (isTarget && stage.body().isEmpty()) {
            out.println("--> " + shortId(imageId(st)));
        }
        if (isTarget && (req.squash() != null || !req.layers())) {
            // --layers=false: as buildah, whose one working container gives the stage a single new layer
            st.image = squash("all".equals(req.squash()) ? null : stageBase, st.image);
        }
        if (isTarget && !req.annotations().isEmpty()) {
            st.image = writer.annotate(st.image, req.annotations());
        }
        return st.image.id();
    }

    /**
     * Docker's ONBUILD: the base image's triggers run right after FROM, in order, as if written there (shown as
     * their own steps); the image built on them carries none, since a trigger fires one generation down only.
     */
    private void onBuildTriggers(State st, Map<String, String> globals, List<Containerfile.Stage> stages, int stageIndex,
                                 String prefix, Instruction from) {
        JsonNode triggers = st.config.path("config").path("OnBuild");
        if (!triggers.isArray() || triggers.isEmpty()) {
            return;
        }
        List<String> texts = new ArrayList<>();
        triggers.forEach(t -> texts.add(t.asText()));
        st.c().remove("OnBuild");
        for (String text : texts) {
            List<Instruction> parsed = Containerfile.parse(text, file.name()).instructions();
            for (Instruction trigger : parsed) {
                // errors name the FROM line: that is where the trigger runs
                Instruction at = new Instruction(trigger.keyword(), trigger.flags(), trigger.args(), trigger.heredocs(), from.line());
                out.println(prefix + "ONBUILD " + at.text());
                step(at, st, globals, stages, stageIndex);
            }
        }
    }

    /**
     * --squash (base: the stage's FROM image) and --squash-all (base null): the layers above base become one, made
     * by comparing the final rootfs with base's layers; the history keeps every entry, those above base marked empty
     * except the last (one layer, one non-empty entry). Not cached: a squashed image is no other step's parent.
     */
    private ImageRecord squash(ImageRecord base, ImageRecord image) {
        List<String> baseLayers = base == null ? List.of() : base.layers();
        if (image.layers().size() - baseLayers.size() <= 1) {
            return image; // nothing to join
        }
        String container = createContainer(image.id());
        try {
            Path merged = engine.containerFiles().mount(container);
            List<Path> lowers = new ArrayList<>();
            for (int i = baseLayers.size() - 1; i >= 0; i--) {
                lowers.add(store.layers().diffDir(baseLayers.get(i)));
            }
            String top = baseLayers.isEmpty() ? null : baseLayers.get(baseLayers.size() - 1);
            StoreMaintenance.CommittedLayer layer = StoreMaintenance.commitChanges(store, merged, DiffWalker.compare(merged, lowers), top);
            ObjectNode config = readConfig(image.id());
            ArrayNode diffIds = config.with("rootfs").putArray("diff_ids");
            if (base != null) {
                readConfig(base.id()).path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
            }
            int kept = base == null ? 0 : readConfig(base.id()).path("history").size();
            ArrayNode history = config.withArray("history");
            for (int i = kept; i < history.size(); i++) {
                ObjectNode h = (ObjectNode) history.get(i);
                if (i == history.size() - 1) {
                    h.remove("empty_layer");
                } else {
                    h.put("empty_layer", true);
                }
            }
            config.put("created", Instant.now().toString());
            return writer.write(base, config, layer);
        } catch (IOException e) {
            throw new EngineException("cannot squash the image's layers: " + e.getMessage(), e);
        } finally {
            removeContainer(container);
        }
    }

    private String imageId(State st) {
        return st.image == null ? "" : st.image.id();
    }

    private ImageRecord baseImage(String name, Instruction from) {
        PullPolicy policy = PullPolicy.parse(req.pull() == null ? "missing" : req.pull());
        String platform = from.flag("platform") != null ? expanding(from, () -> ShellWords.expand(from.flag("platform"), predefinedArgs()::get, file.escape()))
                : req.platform();
        if (policy != PullPolicy.ALWAYS) {
            try {
                String id = engine.images().get(name).id(); // the name resolved as run and pull resolve it
                ImageRecord local = store.images().get(id).orElseThrow(() -> new NoSuchImageException(name));
                if (platform == null || platform.equals(platformOf(local))) {
                    return local;
                }
                if (policy == PullPolicy.NEVER) {
                    throw new BuildFileException(file.name(), from.line(), "image " + name + " in local storage is " + platformOf(local)
                            + ", not " + platform + ", and --pull=never was given");
                }
            } catch (NoSuchImageException e) {
                if (policy == PullPolicy.NEVER) {
                    // podman's words (070-build "--pull-never")
                    throw new EngineException("creating build container: " + name + ": image not known");
                }
            }
        }
        String id = engine.images().pull(io.jpod.engine.image.ImagePullOptions.quiet(name, platform), null).id();
        return store.images().get(id).orElseThrow(() -> new NoSuchImageException(name));
    }

    private void step(Instruction in, State st, Map<String, String> globals, List<Containerfile.Stage> stages, int stageIndex) {
        Function<String, String> look = st::lookup;
        char esc = file.escape();
        switch (in.keyword()) {
            case "ARG" -> {
                for (Map.Entry<String, String> e : expanding(in, () -> KeyValues.args(in.args(), look, esc))) {
                    String v = req.buildArgs().get(e.getKey());
                    if (v == null) {
                        v = e.getValue() != null ? e.getValue() : globals.get(e.getKey());
                    }
                    if (v != null) {
                        st.args.put(e.getKey(), v);
                    } else {
                        st.args.remove(e.getKey());
                    }
                }
            }
            case "ENV" -> {
                var pairs = expanding(in, () -> KeyValues.pairs("ENV", in.args(), look, esc, true));
                StringBuilder text = new StringBuilder("ENV");
                pairs.forEach(p -> text.append(' ').append(p.getKey()).append('=').append(quoteIfNeeded(p.getValue())));
                metadata(st, text.toString(), c -> {
                    // as buildah (podman build) does: a variable set again moves to the end
                    ArrayNode env = c.withArray("Env");
                    for (Map.Entry<String, String> p : pairs) {
                        for (int k = env.size() - 1; k >= 0; k--) {
                            if (env.get(k).asText().startsWith(p.getKey() + "=")) {
                                env.remove(k);
                            }
                        }
                        env.add(p.getKey() + "=" + p.getValue());
                    }
                });
            }
            case "LABEL" -> {
                var pairs = expanding(in, () -> KeyValues.pairs("LABEL", in.args(), look, esc, true));
                StringBuilder text = new StringBuilder("LABEL");
                pairs.forEach(p -> text.append(' ').append(p.getKey()).append('=').append(quoteIfNeeded(p.getValue())));
                metadata(st, text.toString(), c -> pairs.forEach(p -> c.with("Labels").put(p.getKey(), p.getValue())));
            }
            case "MAINTAINER" -> {
                String who = in.args();
                metadata(st, "MAINTAINER " + who, c -> st.config.put("author", who));
            }
            case "WORKDIR" -> {
                String w = expanding(in, () -> ShellWords.expand(in.args(), look, esc));
                String abs = w.startsWith("/") ? w : RootfsCopier.join(st.workdir(), w);
                String clean = Path.of(abs).normalize().toString();
                metadata(st, "WORKDIR " + clean, c -> c.put("WorkingDir", clean));
            }
            case "USER" -> {
                String u = expanding(in, () -> ShellWords.expand(in.args(), look, esc));
                metadata(st, "USER " + u, c -> c.put("User", u));
            }
            case "EXPOSE" -> {
                List<String> ports = new ArrayList<>();
                for (String p : expanding(in, () -> ShellWords.words(in.args(), look, esc))) {
                    String port = p.contains("/") ? p.toLowerCase(Locale.ROOT) : p + "/tcp";
                    if (!port.matches("\\d+(-\\d+)?/(tcp|udp|sctp)")) {
                        throw new BuildFileException(file.name(), in.line(), "invalid port \"" + p + "\" in EXPOSE: use PORT[/tcp|udp|sctp]");
                    }
                    ports.add(port);
                }
                metadata(st, "EXPOSE " + String.join(" ", ports), c -> ports.forEach(p -> c.with("ExposedPorts").putObject(p)));
            }
            case "VOLUME" -> {
                List<String> json = ExecForm.parse(in.args());
                List<String> vols = json != null ? json.stream().map(v -> expanding(in, () -> ShellWords.expand(v, look, esc))).toList()
                        : expanding(in, () -> ShellWords.words(in.args(), look, esc));
                metadata(st, "VOLUME " + vols, c -> vols.forEach(v -> c.with("Volumes").putObject(v)));
            }
            case "STOPSIGNAL" -> {
                String s = expanding(in, () -> ShellWords.expand(in.args(), look, esc));
                metadata(st, "STOPSIGNAL " + s, c -> c.put("StopSignal", s));
            }
            case "SHELL" -> {
                List<String> shell = ExecForm.parse(in.args());
                if (shell == null || shell.isEmpty()) {
                    throw new BuildFileException(file.name(), in.line(), "SHELL requires the JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]");
                }
                metadata(st, "SHELL " + toJson(shell), c -> c.set("Shell", JSON.valueToTree(shell)));
            }
            case "CMD", "ENTRYPOINT" -> {
                List<String> argv = ExecForm.parse(in.args());
                if (argv == null) {
                    argv = new ArrayList<>(st.shell());
                    argv.add(in.args());
                }
                List<String> value = argv;
                boolean entrypoint = in.keyword().equals("ENTRYPOINT");
                metadata(st, in.keyword() + " " + toJson(value), c -> {
                    c.set(entrypoint ? "Entrypoint" : "Cmd", JSON.valueToTree(value));
                    if (entrypoint && !st.cmdSet) {
                        c.remove("Cmd"); // Docker: a new ENTRYPOINT drops the Cmd inherited from the base image
                    }
                });
                st.cmdSet |= !entrypoint;
            }
            case "HEALTHCHECK" -> healthcheck(in, st);
            case "ONBUILD" -> {
                String kw = in.args().strip().split("\\s+", 2)[0].toUpperCase(java.util.Locale.ROOT);
                if (kw.equals("ONBUILD") || kw.equals("FROM") || kw.equals("MAINTAINER")) {
                    throw new BuildFileException(file.name(), in.line(), kw.equals("ONBUILD")
                            ? "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
                            : kw + " isn't allowed as an ONBUILD trigger");
                }
                metadata(st, "ONBUILD " + in.args(), c -> c.withArray("OnBuild").add(in.args()));
            }
            case "RUN" -> run(in, st, stages, stageIndex);
            case "COPY", "ADD" -> copy(in, st, stages, stageIndex);
            default -> throw new BuildFileException(file.name(), in.line(), in.keyword() + " is not supported by jpod build yet");
        }
    }

    private void healthcheck(Instruction in, State st) {
        String args = in.args();
        if (args.equalsIgnoreCase("NONE")) {
            metadata(st, "HEALTHCHECK NONE", c -> c.putObject("Healthcheck").putArray("Test").add("NONE"));
            return;
        }
        if (!args.regionMatches(true, 0, "CMD", 0, 3) || (args.length() > 3 && !Character.isWhitespace(args.charAt(3)))) {
            throw new BuildFileException(file.name(), in.line(), "HEALTHCHECK takes [OPTIONS] CMD command, or NONE");
        }
        String cmd = args.substring(3).strip();
        List<String> exec = ExecForm.parse(cmd);
        ObjectNode h = JSON.createObjectNode();
        ArrayNode test = h.putArray("Test");
        if (exec != null) {
            test.add("CMD");
            exec.forEach(test::add);
        } else {
            test.add("CMD-SHELL").add(cmd);
        }
        for (String f : in.flags()) {
            int eq = f.indexOf('=');
            String name = eq < 0 ? f : f.substring(0, eq);
            String value = eq < 0 ? "" : f.substring(eq + 1);
            try {
                switch (name) {
                    case "--interval" -> h.put("Interval", GoDuration.parseNanos(value, "--interval"));
                    case "--timeout" -> h.put("Timeout", GoDuration.parseNanos(value, "--timeout"));
                    case "--start-period" -> h.put("StartPeriod", GoDuration.parseNanos(value, "--start-period"));
                    case "--start-interval" -> h.put("StartInterval", GoDuration.parseNanos(value, "--start-interval"));
                    case "--retries" -> h.put("Retries", Integer.parseInt(value));
                    default -> throw new BuildFileException(file.name(), in.line(), "unknown HEALTHCHECK option " + name);
                }
            } catch (NumberFormatException | EngineException e) {
                if (e instanceof BuildFileException b) {
                    throw b;
                }
                throw new BuildFileException(file.name(), in.line(), "invalid HEALTHCHECK option " + f + ": " + e.getMessage());
            }
        }
        metadata(st, "HEALTHCHECK " + in.text().substring("HEALTHCHECK ".length()), c -> c.set("Healthcheck", h));
    }

    /** A step that changes only the config: cached like the others, an empty_layer history entry. */
    private void metadata(State st, String text, java.util.function.Consumer<ObjectNode> change) {
        String parent = imageId(st);
        String key = LayerCache.key(parent, req.format() + "\n" + text, null);
        if (reuse(st, key)) {
            return;
        }
        ObjectNode config = st.config.deepCopy();
        change.accept(config.with("config"));
        history(config, "/bin/sh -c #(nop) " + text, true);
        commit(st, key, config, null);
    }

    private boolean reuse(State st, String key) {
        if (req.noCache() || !req.layers()) {
            return false;
        }
        var hit = cache.lookup(key);
        if (hit.isEmpty()) {
            return false;
        }
        out.println("--> Using cache " + hit.get().substring("sha256:".length()));
        st.image = store.images().get(hit.get()).orElseThrow();
        st.config = readConfig(st.image.id());
        return true;
    }

    private void commit(State st, String key, ObjectNode config, StoreMaintenance.CommittedLayer layer) {
        config.put("created", Instant.now().toString());
        st.image = writer.write(st.image, config, layer);
        st.config = readConfig(st.image.id());
        cache.record(key, st.image.id());
    }

    private static void history(ObjectNode config, String createdBy, boolean empty) {
        ObjectNode h = config.withArray("history").addObject();
        h.put("created", Instant.now().toString());
        h.put("created_by", createdBy);
        h.put("comment", "jpod build");
        if (empty) {
            h.put("empty_layer", true);
        }
    }

    private void run(Instruction in, State st, List<Containerfile.Stage> stages, int stageIndex) {
        if (st.image == null || st.image.layers().isEmpty()) {
            throw new BuildFileException(file.name(), in.line(), "cannot RUN in an empty image (FROM scratch): COPY a shell and its files in first");
        }
        String network = req.network() == null ? "slirp4netns" : req.network();
        for (String f : in.flags()) {
            if (f.startsWith("--network=")) {
                String n = f.substring("--network=".length());
                network = n.equals("default") ? network : n;
            } else if (!f.startsWith("--mount=")) {
                throw new BuildFileException(file.name(), in.line(), "unknown flag " + f.replaceFirst("=.*", "")
                        + " for RUN (jpod build knows --mount and --network)");
            }
        }
        List<String> argv = in.heredocs().isEmpty() ? ExecForm.parse(in.args()) : null;
        String shown;
        if (argv == null) {
            argv = new ArrayList<>(st.shell());
            argv.add(script(in));
            shown = String.join(" ", argv);
        } else {
            shown = String.join(" ", argv);
        }
        // build args reach RUN as environment (ENV of the same name wins), and are part of its cache key
        List<String> argEnv = new ArrayList<>();
        st.args.forEach((k, v) -> {
            if (st.env(k) == null) {
                argEnv.add(k + "=" + v);
            }
        });
        String createdBy = (argEnv.isEmpty() ? "" : "|" + argEnv.size() + " " + String.join(" ", argEnv) + " ") + shown;
        // Docker's predefined proxy args reach RUN undeclared, but neither its history nor its cache key
        List<String> runEnv = new ArrayList<>(argEnv);
        for (String p : PROXY_ARGS) {
            String v = req.buildArgs().get(p);
            if (v != null && !st.args.containsKey(p) && st.env(p) == null) {
                runEnv.add(p + "=" + v);
            }
        }
        List<String> stepContainers = new ArrayList<>(); // containers whose rootfs a bind mount's from= uses
        Path secretDir = null;
        try {
            List<RunMounts.Mount> mounts;
            try {
                secretDir = Files.createTempDirectory(engine.dirs().runRoot().path(), "build-secrets-",
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                mounts = RunMounts.parse(in.flags(), st.workdir(), new SourceFiles(req.context(), ignore), req.secrets(),
                        store.root().resolve("build-cache-mounts"), secretDir, from -> mountedRootfs(from, in, stages, stageIndex, stepContainers));
            } catch (IllegalArgumentException e) {
                throw new BuildFileException(file.name(), in.line(), "RUN --mount: " + e.getMessage());
            } catch (IOException e) {
                throw new EngineException("cannot prepare the mounts of RUN (" + file.name() + ":" + in.line() + "): " + e.getMessage(), e);
            }
            StringBuilder mountKey = new StringBuilder();
            mounts.forEach(m -> mountKey.append(m.keyPart()).append('\n'));
            String key = LayerCache.key(imageId(st), req.format() + "\nRUN " + String.join(" ", in.flags()) + " " + toJson(argv)
                    + "\n" + argEnv + "\n" + network + "\n" + req.volumes()
                    // what the step ran under changes what it made (070-build "check_seccomp_ulimits")
                    + (req.ulimits().isEmpty() && req.securityOpts().isEmpty() ? "" : "\n" + req.ulimits() + "\n" + req.securityOpts()),
                    mountKey.toString());
            if (reuse(st, key)) {
                return;
            }
            List<String> targets = new ArrayList<>();
            mounts.forEach(m -> targets.add(m.target()));
            for (String v : req.volumes()) {
                String[] parts = v.split(":");
                if (parts.length >= 2) {
                    targets.add(parts[1]);
                }
            }
            runStep(in, st, argv, runEnv, network, mounts.stream().map(RunMounts.Mount::spec).toList(), targets, key, createdBy);
        } finally {
            stepContainers.forEach(this::removeContainer);
            if (secretDir != null) {
                StoreMaintenance.deleteTree(secretDir);
            }
        }
    }

    private void runStep(Instruction in, State st, List<String> argv, List<String> argEnv, String network, List<String> mounts,
                         List<String> targets, String key, String createdBy) {
        // stdin is never the caller's; -q: the output only reaches the step container's log (read back on failure)
        java.util.Set<String> attach = req.quiet() ? java.util.Set.of("log-only") : java.util.Set.of("stdout", "stderr");
        RunRequest run = new RunRequest(st.image.id(), argv,
                new RunRequest.ProcessRequest("", argEnv, null, null, null),
                null, false, new RunRequest.PullRequest(PullPolicy.NEVER, true, true, null),
                new RunRequest.NetworkRequest(network, List.of(), List.of(), false, List.of(), List.of(), List.of(), req.noHosts()),
                new RunRequest.LifecycleRequest(false, false, false, false, null, null, Map.of(), io.jpod.engine.container.LogConfig.DEFAULT,
                        false, io.jpod.engine.container.RestartPolicy.NO, null, false, null, attach),
                new RunRequest.SecurityRequest(List.of(), List.of(), false, req.securityOpts(), req.volumes(), mounts, List.of(), false,
                        true, null, req.ulimits()),
                new RunRequest.ResourceRequest());
        out.flush();
        io.jpod.engine.container.ContainerRunReport ran = engine.containers().run(run, null); // --pull=never: no pull to report
        int status = ran.exitCode();
        String container = ran.id();
        try {
            if (status != 0) {
                throw new EngineException("building at STEP \"" + in.text() + "\" (" + file.name() + ":" + in.line()
                        + "): the command exited with status " + status + (req.quiet() ? lastLines(container) : ""));
            }
            StoreMaintenance.CommittedLayer layer = commitContainer(container, st.image, true, targets);
            ObjectNode config = st.config.deepCopy();
            history(config, "/bin/sh -c " + createdBy, false);
            commit(st, key, config, layer);
        } finally {
            removeContainer(container);
        }
    }

    /** With -q the failing step's output was not shown: its last lines, from the step container's log. */
    private String lastLines(String container) {
        if (container == null) {
            return "";
        }
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)) {
            engine.logs(container, new io.jpod.engine.container.LogOptions(false, 10, null, false), p, p);
        } catch (RuntimeException e) {
            return "";
        }
        String text = buf.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "" : "; its last output:\n" + text;
    }

    /** A RUN bind mount's from=: the stage's or image's rootfs, mounted through a created container kept for the step. */
    private Map.Entry<Path, String> mountedRootfs(String from, Instruction in, List<Containerfile.Stage> stages, int stageIndex,
                                                  List<String> containers) {
        Containerfile.Stage dep = stageRef(from, stages, stageIndex);
        String imageId = dep != null ? stageImages.get(dep.index()) : null;
        if (imageId == null) {
            try {
                imageId = engine.images().get(from).id();
            } catch (NoSuchImageException e) {
                imageId = baseImage(from, in).id();
            }
        }
        String container = createContainer(imageId);
        containers.add(container);
        return Map.entry(engine.containerFiles().mount(container), imageId);
    }

    /** The shell script of a shell-form RUN; heredocs go to the shell as written (it reads them itself). */
    private static String script(Instruction in) {
        if (in.heredocs().isEmpty()) {
            return in.args();
        }
        if (in.heredocs().size() == 1 && in.args().matches("<<-?[\"']?" + in.heredocs().get(0).name() + "[\"']?")) {
            return in.heredocs().get(0).content(); // RUN <<EOF: the document is the script
        }
        StringBuilder s = new StringBuilder(in.args()).append('\n');
        for (Heredoc h : in.heredocs()) {
            s.append(h.content()).append(h.name()).append('\n');
        }
        return s.toString();
    }

    private void copy(Instruction in, State st, List<Containerfile.Stage> stages, int stageIndex) {
        Function<String, String> look = st::lookup;
        char esc = file.escape();
        boolean add = in.keyword().equals("ADD");
        List<String> json = in.heredocs().isEmpty() ? ExecForm.parse(in.args()) : null;
        List<String> words = json != null ? json.stream().map(w -> expanding(in, () -> ShellWords.expand(w, look, esc))).toList()
                : expanding(in, () -> ShellWords.words(in.args(), look, esc));
        if (words.size() < 2) {
            throw new BuildFileException(file.name(), in.line(), in.keyword() + " requires at least two arguments: SOURCE… DEST");
        }
        for (String f : in.flags()) {
            String name = f.contains("=") ? f.substring(0, f.indexOf('=')) : f;
            if (!Set.of("--from", "--chown", "--chmod", "--link").contains(name)) {
                throw new BuildFileException(file.name(), in.line(), "unknown flag " + name + " for " + in.keyword()
                        + " (jpod build knows --from, --chown, --chmod, --link)");
            }
        }
        String dest = words.get(words.size() - 1);
        List<String> sources = words.subList(0, words.size() - 1);
        String destPath = dest.startsWith("/") ? dest : RootfsCopier.join(st.workdir(), dest);
        boolean destIsDirSyntax = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
        String from = in.flag("from");
        String chown = in.flag("chown") == null ? null : expanding(in, () -> ShellWords.expand(in.flag("chown"), look, esc));
        Integer chmod = null;
        if (in.flag("chmod") != null) {
            try {
                chmod = Integer.parseInt(in.flag("chmod"), 8);
            } catch (NumberFormatException e) {
                throw new BuildFileException(file.name(), in.line(), "invalid --chmod \"" + in.flag("chmod") + "\": give an octal mode like 755");
            }
        }
        Map<String, Heredoc> docs = new HashMap<>();
        in.heredocs().forEach(h -> docs.put(h.name(), h));

        String fromImage = null;
        if (from != null) {
            Containerfile.Stage dep = stageRef(from, stages, stageIndex);
            if (dep != null) {
                fromImage = stageImages.get(dep.index());
            } else {
                try {
                    fromImage = engine.images().get(from).id();
                } catch (NoSuchImageException e) {
                    try {
                        fromImage = baseImage(from, in).id();
                    } catch (BuildFileException b) {
                        throw b;
                    } catch (EngineException | io.jpod.image.ImageException pull) {
                        throw new BuildFileException(file.name(), in.line(), in.keyword() + " --from=" + from
                                + ": no stage of that name before this one, and no such image (" + pull.getMessage() + ")");
                    }
                }
            }
        }
        // the key: the step after expansion, plus what the sources hold (a --from image is immutable by its id)
        List<SourceFiles.Match> contextMatches = new ArrayList<>();
        String contentDigest;
        SourceFiles context = new SourceFiles(req.context(), ignore);
        try {
            if (fromImage == null) {
                for (String s : sources) {
                    if (docs.containsKey(s.replaceFirst("^<<-?", ""))) {
                        continue;
                    }
                    if (add && (s.startsWith("http://") || s.startsWith("https://") || s.startsWith("git@"))) {
                        throw new BuildFileException(file.name(), in.line(), "ADD from a URL is not supported by jpod build yet: RUN wget or curl instead");
                    }
                    List<SourceFiles.Match> m;
                    try {
                        m = context.match(s);
                    } catch (IllegalArgumentException e) {
                        throw new BuildFileException(file.name(), in.line(), in.keyword() + " " + e.getMessage());
                    }
                    if (m.isEmpty()) {
                        // podman's shape for a step that fails while it runs (070-build ".dockerignore failure test")
                        throw new EngineException("building at STEP \"" + in.text() + "\" (" + file.name() + ":" + in.line() + "): "
                                + in.keyword() + " source \"" + s + "\" is not in the build context (or is excluded by .containerignore/.dockerignore)");
                    }
                    contextMatches.addAll(m);
                }
                contentDigest = context.digest(contextMatches);
            } else {
                contentDigest = fromImage;
            }
        } catch (IOException e) {
            throw new EngineException("cannot read the build context: " + e.getMessage(), e);
        }
        int itemCount = fromImage == null ? contextMatches.size() + docs.size() : sources.size();
        if ((itemCount > 1 || sources.stream().anyMatch(SourceFiles::hasGlob)) && !destIsDirSyntax && itemCount > 1) {
            throw new BuildFileException(file.name(), in.line(), "when using " + in.keyword()
                    + " with more than one source file, the destination must be a directory and end with a /");
        }
        String text = in.keyword() + (from == null ? "" : " --from=" + from) + (chown == null ? "" : " --chown=" + chown)
                + (chmod == null ? "" : " --chmod=" + Integer.toOctalString(chmod)) + " " + String.join(" ", words);
        String key = LayerCache.key(imageId(st), req.format() + "\n" + text + "\n" + docs, contentDigest);
        if (reuse(st, key)) {
            return;
        }
        final String fromId = fromImage;
        final Integer mode = chmod;
        StoreMaintenance.CommittedLayer layer = inWorkingRootfs(st.image, root -> {
            int[] owner = chown == null ? new int[]{0, 0} : Owners.resolve(root, chown);
            RootfsCopier copier = new RootfsCopier(root, owner[0], owner[1], mode);
            boolean intoDir = destIsDirSyntax || copier.isDirectory(destPath);
            for (Heredoc h : docs.values()) {
                String content = h.expand() ? ShellWords.expandVariables(h.content(), look) : h.content();
                copier.writeFile(intoDir ? RootfsCopier.join(destPath, h.name()) : destPath, content);
            }
            if (fromId != null) {
                withImageRootfs(fromId, srcRoot -> {
                    SourceFiles src = new SourceFiles(srcRoot, IgnoreRules.NONE);
                    for (String s : sources) {
                        List<SourceFiles.Match> m = src.match(s);
                        if (m.isEmpty()) {
                            throw new BuildFileException(file.name(), in.line(), in.keyword() + " --from=" + from + ": \"" + s + "\" does not exist in that image");
                        }
                        place(copier, m, destPath, intoDir || m.size() > 1, false, p -> false);
                    }
                    return null;
                });
            } else {
                place(copier, contextMatches, destPath, intoDir, add,
                        p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                                ? context.prunes(req.context().relativize(p).toString())
                                : context.excluded(req.context().relativize(p).toString()));
            }
            return null;
        });
        ObjectNode config = st.config.deepCopy();
        String what = contextMatches.size() == 1 && !Files.isDirectory(contextMatches.get(0).host()) ? "file:" : "dir:";
        history(config, "/bin/sh -c #(nop) " + in.keyword() + " " + what + contentDigest.replace("sha256:", "") + " in " + dest + " ", false);
        commit(st, key, config, layer);
    }

    private void place(RootfsCopier copier, List<SourceFiles.Match> matches, String destPath, boolean intoDir, boolean extract,
                       java.util.function.Predicate<Path> skip) throws IOException {
        for (SourceFiles.Match m : matches) {
            Path host = m.host();
            if (Files.isDirectory(host, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                copier.copyTree(host, destPath, skip);
            } else if (extract && Files.isRegularFile(host) && RootfsCopier.isArchive(host)) {
                copier.extract(host, destPath);
            } else {
                String name = host.getFileName().toString();
                copier.copyFile(host, intoDir ? RootfsCopier.join(destPath, name) : destPath);
            }
        }
    }

    private interface RootfsWork<T> {
        T apply(Path root) throws IOException;
    }

    /**
     * Runs work on a writable rootfs of the image and returns its changes as a layer: a created (never started)
     * container's rootfs, or for an image without layers (FROM scratch) an empty directory.
     */
    private StoreMaintenance.CommittedLayer inWorkingRootfs(ImageRecord image, RootfsWork<Void> work) {
        try {
            if (image == null || image.layers().isEmpty()) {
                Path dir = Files.createTempDirectory(store.root(), ".build-");
                try {
                    work.apply(dir);
                    return StoreMaintenance.commitUpper(store, dir, null);
                } finally {
                    StoreMaintenance.deleteTree(dir);
                }
            }
            String container = createContainer(image.id());
            try {
                Path merged = engine.containerFiles().mount(container);
                work.apply(merged);
                return commitContainer(container, image, false);
            } finally {
                removeContainer(container);
            }
        } catch (IOException e) {
            throw new EngineException("cannot copy into the image: " + e.getMessage(), e);
        }
    }

    private <T> T withImageRootfs(String imageId, RootfsWork<T> work) throws IOException {
        String container = createContainer(imageId);
        try {
            return work.apply(engine.containerFiles().mount(container));
        } finally {
            removeContainer(container);
        }
    }

    private String createContainer(String imageId) {
        RunRequest create = new RunRequest(imageId, List.of("/"), new RunRequest.ProcessRequest("", List.of(), null, null, null),
                null, false, new RunRequest.PullRequest(PullPolicy.NEVER, true, true, null),
                new RunRequest.NetworkRequest("none", List.of()),
                new RunRequest.LifecycleRequest(false, false, false).asCreateOnly(),
                new RunRequest.SecurityRequest(), new RunRequest.ResourceRequest());
        return engine.containers().run(create, null).id(); // --pull=never
    }

    /** The container's changes as a layer on top of its image; afterRun: first drop what the run machinery left. */
    private StoreMaintenance.CommittedLayer commitContainer(String container, ImageRecord image, boolean afterRun) {
        return commitContainer(container, image, afterRun, List.of());
    }

    /** targets: the container paths the step mounted over (their mount points are not part of the layer). */
    private StoreMaintenance.CommittedLayer commitContainer(String container, ImageRecord image, boolean afterRun, List<String> targets) {
        String top = image.layers().get(image.layers().size() - 1);
        List<Path> lowers = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            lowers.add(store.layers().diffDir(image.layers().get(i)));
        }
        boolean vfs = "vfs".equals(driverName);
        try {
            Path changes = vfs ? engine.containerFiles().mount(container) : store.containers().upperDir(container);
            if (afterRun) {
                RunArtifacts.strip(changes, lowers, vfs, targets);
            }
            if (vfs) {
                return StoreMaintenance.commitChanges(store, changes, DiffWalker.compare(changes, lowers), top);
            }
            return StoreMaintenance.commitUpper(store, changes, top);
        } catch (IOException e) {
            throw new EngineException("cannot collect the changes of the build container: " + e.getMessage(), e);
        }
    }

    private void removeContainer(String container) {
        if (container != null && req.removeContainers()) {
            engine.removeContainer(container, true);
        }
    }

    private Map<String, String> predefinedArgs() {
        Map<String, String> m = new HashMap<>();
        String arch = hostArch();
        String[] target = (req.platform() == null ? "linux/" + arch : req.platform()).split("/");
        m.put("TARGETOS", target[0]);
        m.put("TARGETARCH", target.length > 1 ? target[1] : arch);
        m.put("TARGETPLATFORM", req.platform() == null ? "linux/" + arch : req.platform());
        if (target.length > 2) {
            m.put("TARGETVARIANT", target[2]);
        }
        m.put("BUILDOS", "linux");
        m.put("BUILDARCH", arch);
        m.put("BUILDPLATFORM", "linux/" + arch);
        return m;
    }

    /** os/arch[/variant] of a stored image, from its config. */
    private String platformOf(ImageRecord image) {
        ObjectNode c = readConfig(image.id());
        String variant = c.path("variant").asText("");
        return c.path("os").asText("linux") + "/" + c.path("architecture").asText("") + (variant.isEmpty() ? "" : "/" + variant);
    }

    public static String hostArch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    private ObjectNode scratchConfig() {
        ObjectNode c = JSON.createObjectNode();
        c.put("architecture", hostArch());
        c.put("os", "linux");
        c.putObject("config");
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids");
        c.putArray("history");
        return c;
    }

    private ObjectNode readConfig(String imageId) {
        try {
            return (ObjectNode) JSON.readTree(store.images().config(imageId));
        } catch (IOException | ClassCastException e) {
            throw new EngineException("cannot read the config of image " + imageId + ": " + e.getMessage(), e);
        }
    }

    /** Runs an expansion; a malformed ${…} becomes an error on the instruction's line. */
    private <T> T expanding(Instruction in, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new BuildFileException(file.name(), in.line(), in.keyword() + ": " + e.getMessage());
        }
    }

    private static String quoteIfNeeded(String v) {
        return v.isEmpty() || v.chars().anyMatch(Character::isWhitespace) ? "\"" + v.replace("\"", "\\\"") + "\"" : v;
    }

    private static String toJson(List<String> l) {
        try {
            return JSON.writeValueAsString(l);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(11, hex.length()));
    }
}
