package io.jpod.engine.image;

/** @param digest the digest of the manifest pushed */
public record ImagePushReport(String digest) {
}
