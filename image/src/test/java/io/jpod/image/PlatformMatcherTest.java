package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformMatcherTest {

    private static Descriptor entry(int n, String os, String arch, String variant) {
        String digest = "sha256:" + String.format("%064x", n);
        return new Descriptor(MediaTypes.OCI_MANIFEST, digest, 100, null, null, Platform.of(os, arch, variant), null, null);
    }

    private static ImageIndex index(Descriptor... ds) {
        return new ImageIndex(2, MediaTypes.OCI_INDEX, null, List.of(ds), null, null);
    }

    private static Descriptor select(ImageIndex idx, String platform) {
        return PlatformMatcher.select(idx, Platform.parse(platform), "img");
    }

    // A typical multi-arch index (like docker.io/library/busybox) with a buildx attestation entry.
    private final ImageIndex busybox = index(
            entry(1, "linux", "amd64", null),
            entry(2, "linux", "arm", "v5"),
            entry(3, "linux", "arm", "v6"),
            entry(4, "linux", "arm", "v7"),
            entry(5, "linux", "arm64", "v8"),
            entry(6, "linux", "386", null),
            entry(7, "unknown", "unknown", null),
            entry(8, "windows", "amd64", null));

    @Test
    void exactMatches() {
        assertEquals(1, n(select(busybox, "linux/amd64")));
        assertEquals(5, n(select(busybox, "linux/arm64")));
        assertEquals(5, n(select(busybox, "linux/arm64/v8")));
        assertEquals(4, n(select(busybox, "linux/arm/v7")));
        assertEquals(3, n(select(busybox, "linux/arm/v6")));
        assertEquals(6, n(select(busybox, "linux/386")));
        assertEquals(8, n(select(busybox, "windows/amd64")));
    }

    @Test
    void aliasesAreNormalised() {
        assertEquals(1, n(select(busybox, "linux/x86_64")));
        assertEquals(5, n(select(busybox, "linux/aarch64")));
        assertEquals(6, n(select(busybox, "linux/i686")));
    }

    @Test
    void armWithoutVariantPrefersV7AndOlderVariantIsAFallback() {
        assertEquals(4, n(select(busybox, "linux/arm")));
        ImageIndex onlyV6 = index(entry(1, "linux", "arm", "v6"), entry(2, "linux", "arm", "v5"));
        assertEquals(1, n(select(onlyV6, "linux/arm/v7")));
        assertThrows(ImageException.class, () -> select(index(entry(1, "linux", "arm", "v7")), "linux/arm/v6"));
    }

    @Test
    void variantWhenRequested() {
        ImageIndex amd = index(entry(1, "linux", "amd64", "v3"), entry(2, "linux", "amd64", null));
        assertEquals(2, n(select(amd, "linux/amd64")));
        assertEquals(1, n(select(amd, "linux/amd64/v3")));
        // arm64 without a variant in the index still matches a request for v8
        assertEquals(1, n(select(index(entry(1, "linux", "arm64", null)), "linux/arm64/v8")));
        // no exact variant: not matched
        assertThrows(ImageException.class, () -> select(index(entry(1, "linux", "arm64", "v9")), "linux/arm64/v8"));
    }

    @Test
    void firstOfEqualRankWins() {
        ImageIndex twice = index(entry(1, "linux", "amd64", null), entry(2, "linux", "amd64", null));
        assertEquals(1, n(select(twice, "linux/amd64")));
    }

    @Test
    void noMatchListsAvailablePlatforms() {
        ImageException e = assertThrows(ImageException.class, () -> select(busybox, "linux/s390x"));
        assertEquals("image \"img\" has no manifest for platform linux/s390x; available platforms: linux/amd64, linux/arm/v5,"
                + " linux/arm/v6, linux/arm/v7, linux/arm64/v8, linux/386, windows/amd64", e.getMessage());
    }

    @Test
    void ignoresEntriesWithoutPlatformOrWithForeignMediaType() {
        List<Descriptor> ds = new ArrayList<>();
        ds.add(new Descriptor(MediaTypes.OCI_MANIFEST, "sha256:" + "1".repeat(64), 1, null, null, null, null, null));
        ds.add(new Descriptor("application/vnd.in-toto+json", "sha256:" + "2".repeat(64), 1, null, null,
                Platform.of("linux", "amd64", null), null, null));
        ds.add(entry(3, "linux", "amd64", null));
        assertEquals(3, n(PlatformMatcher.select(new ImageIndex(2, null, null, ds, null, null), Platform.parse("linux/amd64"), "img")));
    }

    @Test
    void platformParsing() {
        assertEquals("linux/arm64/v8", Platform.parse("linux/arm64/v8").toString());
        assertEquals("linux/amd64", Platform.parse("Linux/AMD64").toString());
        assertEquals("linux", Platform.parse(null).os());
        assertEquals("linux", Platform.host().os());
        assertThrows(ImageException.class, () -> Platform.parse("linux"));
        assertThrows(ImageException.class, () -> Platform.parse("linux//v7"));
        assertThrows(ImageException.class, () -> Platform.parse("a/b/c/d"));
    }

    private static int n(Descriptor d) {
        return Integer.parseInt(d.digest().substring(7), 16);
    }
}
