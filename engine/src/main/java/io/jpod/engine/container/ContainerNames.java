package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Container ids (64 hex, like podman) and generated names (adjective_noun, 21098 combinations). A generated name is
 * chosen under the store lock ({@link io.jpod.storage.ContainerStore#createWithGeneratedName}), against the names in use
 * at that moment, so concurrent runs never pick the same one.
 */
public final class ContainerNames {
    private static final List<String> ADJECTIVES = List.of(
            "able", "agile", "airy", "amber", "ample", "ardent", "astute", "azure", "balmy", "bold", "bouncy",
            "brave", "breezy", "bright", "brisk", "bubbly", "calm", "candid", "capable", "careful", "cheerful",
            "chipper", "civil", "clever", "cosmic", "cozy", "crisp", "curious", "dapper", "daring", "dashing",
            "deft", "devoted", "diligent", "dreamy", "eager", "earnest", "easy", "elated", "elegant", "epic", "fair",
            "faithful", "fancy", "fearless", "festive", "fierce", "fluent", "fond", "frank", "free", "fresh",
            "friendly", "frosty", "gentle", "genial", "gifted", "glad", "gleaming", "golden", "graceful", "grand",
            "happy", "hardy", "hearty", "helpful", "honest", "hopeful", "humble", "jaunty", "jolly", "jovial",
            "joyful", "keen", "kind", "lively", "loyal", "lucid", "lucky", "lunar", "mellow", "merry", "mighty",
            "misty", "modest", "neat", "nimble", "noble", "novel", "patient", "peaceful", "perky", "placid",
            "plucky", "polite", "proud", "quick", "quiet", "radiant", "rapid", "rosy", "rustic", "savvy", "serene",
            "sharp", "shiny", "silent", "silver", "sincere", "smooth", "snappy", "snug", "solar", "sparkling",
            "spry", "stable", "steady", "stellar", "stoic", "sturdy", "sunny", "swift", "tender", "thrifty", "tidy",
            "tranquil", "trusty", "upbeat", "valiant", "velvet", "vivid", "warm", "wise", "witty", "zany", "zealous",
            "zesty");
    private static final List<String> NOUNS = List.of(
            "acorn", "alder", "anchor", "antelope", "apricot", "aspen", "aurora", "badger", "basil", "bay", "beacon",
            "beech", "birch", "bison", "bluebird", "boulder", "bramble", "breeze", "brook", "buffalo", "canyon",
            "cardinal", "caribou", "cedar", "cherry", "chestnut", "cliff", "clover", "comet", "condor", "coral",
            "cougar", "cove", "crane", "creek", "cricket", "crow", "cypress", "dahlia", "delta", "dolphin", "dove",
            "dune", "eagle", "egret", "elm", "ember", "falcon", "fern", "finch", "fjord", "flint", "fox", "galaxy",
            "garnet", "gazelle", "geyser", "glacier", "glade", "grove", "gull", "harbor", "hare", "hawk", "hazel",
            "heron", "hickory", "horizon", "ibis", "iris", "island", "ivy", "jackal", "jasper", "juniper", "kestrel",
            "kingfisher", "koala", "lagoon", "lantern", "larch", "lark", "laurel", "lemur", "lichen", "lily",
            "linden", "lynx", "magpie", "maple", "marten", "meadow", "mesa", "meteor", "mink", "moose", "moss",
            "nebula", "nutmeg", "oak", "oasis", "ocelot", "orchid", "osprey", "otter", "owl", "panda", "pebble",
            "pelican", "pine", "plover", "poplar", "prairie", "puffin", "quail", "quartz", "raven", "reed", "reef",
            "ridge", "robin", "rowan", "sage", "salmon", "sequoia", "shore", "sparrow", "spruce", "squirrel",
            "starling", "stork", "summit", "swallow", "swan", "sycamore", "tern", "thistle", "thrush", "tide",
            "tiger", "topaz", "tulip", "tundra", "valley", "violet", "walnut", "walrus", "willow", "wolf", "wren",
            "yak", "yarrow", "zebra", "zephyr");

    private ContainerNames() {
    }

    public static String newId(SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A name not in {@code taken}: random pairs first, then (a store holding most of them) a random id's prefix. */
    public static String newName(SecureRandom random, Set<String> taken) {
        for (int i = 0; i < 100; i++) {
            String name = ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(random.nextInt(NOUNS.size()));
            if (!taken.contains(name)) {
                return name;
            }
        }
        String name;
        do {
            name = "jpod_" + newId(random).substring(0, 12);
        } while (taken.contains(name));
        return name;
    }

    /** How many adjective_noun names there are. */
    static int combinations() {
        return ADJECTIVES.size() * NOUNS.size();
    }

    /** Docker's rule for user-given names. */
    public static void validate(String name) {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new EngineException("invalid container name \"" + name + "\": use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
    }
}
