package io.jpod.engine.image;

/** `images`' options the engine applies (filters and sorting are the caller's). @param all the intermediate images of builds too */
public record ImageListOptions(boolean all) {
}
