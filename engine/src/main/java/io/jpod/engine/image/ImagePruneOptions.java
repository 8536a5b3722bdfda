package io.jpod.engine.image;

/** `image prune`'s options. @param all every image no container uses, not only the unnamed ones */
public record ImagePruneOptions(boolean all) {
}
