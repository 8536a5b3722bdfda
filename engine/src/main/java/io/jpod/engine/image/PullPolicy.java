package io.jpod.engine.image;

import io.jpod.engine.EngineException;

/** --pull: when a run or create pulls its image. */
public enum PullPolicy {
    ALWAYS, MISSING, NEVER, NEWER;

    public static PullPolicy parse(String s) {
        try {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new EngineException("invalid --pull value \"" + s + "\": use always, missing, never or newer");
        }
    }
}
