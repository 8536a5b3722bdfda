package io.jpod.cli;

import io.jpod.engine.ContainersConf;
import io.jpod.engine.EngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's settings in containers.conf: {@code [engine] service_timeout = SECONDS} (podman's key: how long the
 * service waits without a request before it exits; 0: never) — read by a line scan, so the TOML parser stays off
 * the service's start. {@code [jpod] service = false} (the native client reads it) turns the service off.
 */
final class ServiceSettings {
    static final long DEFAULT_IDLE_SECONDS = 300;
    private static final Pattern SECTION = Pattern.compile("^\\s*\\[\\s*([A-Za-z0-9_.]+)\\s*]");
    private static final Pattern TIMEOUT = Pattern.compile("^\\s*service_timeout\\s*=\\s*(\\S+?)\\s*(#.*)?$");

    private ServiceSettings() {
    }

    static long idleSeconds(Map<String, String> env) {
        long seconds = DEFAULT_IDLE_SECONDS;
        for (Path f : ContainersConf.files(env)) {
            String section = "";
            try {
                for (String line : Files.readAllLines(f)) {
                    Matcher s = SECTION.matcher(line);
                    if (s.find()) {
                        section = s.group(1);
                        continue;
                    }
                    Matcher t = TIMEOUT.matcher(line);
                    if (section.equals("engine") && t.matches()) {
                        try {
                            seconds = Long.parseLong(t.group(1));
                        } catch (NumberFormatException e) {
                            throw new EngineException(f + ": [engine] service_timeout must be a number of seconds (0: never), not " + t.group(1));
                        }
                    }
                }
            } catch (IOException e) {
                throw new EngineException("cannot read " + f + ": " + e.getMessage() + "; fix its permissions or remove it");
            }
        }
        return seconds;
    }
}
