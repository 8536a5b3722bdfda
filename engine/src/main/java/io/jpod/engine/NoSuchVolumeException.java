package io.jpod.engine;

/** No volume has the name the user gave (`volume rm` exits 1 for it, `--force` skips it, as podman's do). */
public final class NoSuchVolumeException extends EngineException {
    private final String reference;

    public NoSuchVolumeException(String name) {
        // podman's words and its "no such volume" cause, which scripts match
        super("no volume with name \"" + name + "\" found: no such volume");
        this.reference = name;
    }

    /** The name the user gave (front ends word the error their own way: docker's API). */
    public String reference() {
        return reference;
    }
}
