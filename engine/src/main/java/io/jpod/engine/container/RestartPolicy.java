package io.jpod.engine.container;

import io.jpod.engine.EngineException;

/**
 * {@code --restart}, podman's policies: {@code no} (the default), {@code on-failure[:MAX]} (again after a non-zero
 * exit, at most MAX times), {@code always} and {@code unless-stopped} (again after any exit). A container that
 * `jpod stop` ended is never started again by its policy; it is carried out by the container's exit command
 * (or the foreground `run`), after the teardown of the run that ended.
 *
 * @param name       no, on-failure, always or unless-stopped
 * @param maxRetries on-failure's limit (0: none)
 */
public record RestartPolicy(String name, int maxRetries) {
    public static final RestartPolicy NO = new RestartPolicy("no", 0);

    /** Parses the flag's value; null or empty is "no". A bad value fails with what is allowed. */
    public static RestartPolicy parse(String value) {
        if (value == null || value.isEmpty() || value.equals("no")) {
            return NO;
        }
        if (value.equals("always") || value.equals("unless-stopped") || value.equals("on-failure")) {
            return new RestartPolicy(value, 0);
        }
        if (value.startsWith("on-failure:")) {
            String n = value.substring("on-failure:".length());
            try {
                int max = Integer.parseInt(n);
                if (max >= 0) {
                    return new RestartPolicy("on-failure", max);
                }
            } catch (NumberFormatException e) {
                // falls through to the error
            }
            throw new EngineException("--restart " + value + ": the retry count must be a number of 0 or more");
        }
        if (value.contains(":")) {
            throw new EngineException("--restart " + value + ": only on-failure takes a retry count (on-failure:N)");
        }
        throw new EngineException("--restart " + value + " is not a restart policy: use no, on-failure[:N], always or unless-stopped");
    }

    public boolean isNo() {
        return name.equals("no");
    }

    /** Whether a run that ended with {@code exitCode} after {@code restarts} earlier restarts is started again. */
    public boolean restartsAfter(int exitCode, int restarts) {
        return switch (name) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && (maxRetries == 0 || restarts < maxRetries);
            default -> false;
        };
    }

    /** The stored form (null for "no"): "always", "on-failure:3". */
    public String stored() {
        return isNo() ? null : maxRetries > 0 ? name + ":" + maxRetries : name;
    }
}
