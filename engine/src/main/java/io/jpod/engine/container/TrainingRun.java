package io.jpod.engine.container;

import io.jpod.engine.system.EventLog;
import io.jpod.storage.ContainerRecord;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The engine's part of the class-data cache's training run (see the CLI's Training): the small steps every
 * `run` takes that the CLI does not reach, against a throw-away run-time dir. It lives with the run path it trains
 * (not in the engine's core, which depends on no feature package).
 */
public final class TrainingRun {
    private TrainingRun() {
    }

    public static void run(Path runRoot) {
        RestartPolicy.parse("no");
        ContainerRecord c = new ContainerRecord("0".repeat(64), "train", "sha256:" + "0".repeat(64), "localhost/train:latest",
                List.of("true"), java.time.Instant.now(), io.jpod.storage.ContainerState.CREATED, null, null);
        HealthChecks.config(c);
        EventLog.container(runRoot, "create", c.id(), c.name(), c.imageName(), Map.of());
        EventLog.container(runRoot, "died", c.id(), c.name(), c.imageName(), Map.of("containerExitCode", "0"));
    }
}
