package io.jpod.engine;

import io.jpod.image.ImageConfig;

import java.util.List;

/** The parts of an image config that decide how its container runs. */
public record ImageSettings(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                     String stopSignal, io.jpod.storage.HealthcheckConfig healthcheck) {

    public static ImageSettings parse(byte[] configJson) {
        ImageConfig cfg = ImageConfig.parse(configJson, "local image");
        ImageConfig.Config c = cfg.config();
        if (c == null) {
            return new ImageSettings(List.of(), List.of(), List.of(), null, null, null, null);
        }
        ImageConfig.Healthcheck h = c.healthcheck();
        return new ImageSettings(c.env(), c.entrypoint(), c.cmd(), c.workingDir(), c.user(), c.stopSignal(),
                h == null ? null : new io.jpod.storage.HealthcheckConfig(h.test(), h.interval(), h.timeout(), h.startPeriod(), h.retries()));
    }
}
