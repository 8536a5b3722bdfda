package io.jpod.engine;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** Container ids (64 hex, like podman) and generated names (adjective_noun). */
public final class ContainerNames {
    private static final List<String> ADJECTIVES = List.of("amazing", "brave", "calm", "clever", "eager", "fervent",
            "gallant", "happy", "jolly", "keen", "lucid", "modest", "nifty", "optimistic", "pensive", "quirky",
            "relaxed", "serene", "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous");
    private static final List<String> NOUNS = List.of("babbage", "curie", "darwin", "euclid", "fermi", "galileo",
            "hopper", "johnson", "kepler", "lovelace", "meitner", "newton", "noether", "pascal", "ritchie", "shannon",
            "thompson", "turing", "volta", "wozniak", "yonath", "zuse");

    private ContainerNames() {
    }

    public static String newId(SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static String newName(SecureRandom random, Set<String> taken) {
        for (int i = 0; i < 100; i++) {
            String name = ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(random.nextInt(NOUNS.size()));
            if (!taken.contains(name)) {
                return name;
            }
        }
        return "jpod_" + newId(random).substring(0, 12);
    }

    /** Docker's rule for user-given names. */
    public static void validate(String name) {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new EngineException("invalid container name \"" + name + "\": use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
    }
}
