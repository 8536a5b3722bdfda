package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);
    static final String C = "sha256:" + "c".repeat(64);
    static final String IMG = "docker.io/library/test:latest";

    static byte[] bytes(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    static ImageException fails(String json, String contentType) {
        ImageException e = assertThrows(ImageException.class, () -> ManifestParser.parse(bytes(json), contentType, IMG));
        assertTrue(e.getMessage().indexOf('\n') < 0, "one line: " + e.getMessage());
        return e;
    }

    @Test
    void dockerSchema2() {
        String json = "{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
                + "'config':{'mediaType':'application/vnd.docker.container.image.v1+json','size':1469,'digest':'" + A + "'},"
                + "'layers':[{'mediaType':'application/vnd.docker.image.rootfs.diff.tar.gzip','size':3408729,'digest':'" + B + "'}]}";
        ImageManifest m = assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(json), "application/json", IMG));
        assertEquals(2, m.schemaVersion());
        assertEquals(MediaTypes.DOCKER_MANIFEST, m.mediaType());
        assertEquals(A, m.config().digest());
        assertEquals(1469, m.config().size());
        assertEquals(1, m.layers().size());
        assertEquals(B, m.layers().get(0).digest());
        assertEquals(3408729, m.layers().get(0).size());
        assertThrows(UnsupportedOperationException.class, () -> m.layers().add(null));
    }

    @Test
    void ociWithOci11FieldsAndUnknownProperties() {
        String json = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json','artifactType':'application/vnd.example+type',"
                + "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','size':2,'digest':'" + A + "','data':'e30=',"
                + "'artifactType':'application/x-thing','somethingNew':{'x':1}},"
                + "'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','size':10,'digest':'" + B + "',"
                + "'urls':['https://example.com/b'],'annotations':{'org.opencontainers.image.title':'l1'}}],"
                + "'subject':{'mediaType':'application/vnd.oci.image.manifest.v1+json','size':7,'digest':'" + C + "'},"
                + "'annotations':{'org.opencontainers.image.created':'2024-01-01T00:00:00Z'},'futureField':[1,2]}";
        ImageManifest m = assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(json), null, IMG));
        assertEquals("application/vnd.example+type", m.artifactType());
        assertEquals("e30=", m.config().data());
        assertEquals("application/x-thing", m.config().artifactType());
        assertEquals(List.of("https://example.com/b"), m.layers().get(0).urls());
        assertEquals("l1", m.layers().get(0).annotations().get("org.opencontainers.image.title"));
        assertEquals(C, m.subject().digest());
        assertEquals("2024-01-01T00:00:00Z", m.annotations().get("org.opencontainers.image.created"));
    }

    @Test
    void indexWithSeveralPlatforms() {
        String json = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':["
                + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','size':100,'digest':'" + A + "','platform':{'architecture':'amd64','os':'linux'}},"
                + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','size':101,'digest':'" + B + "','platform':{'architecture':'arm64','os':'linux','variant':'v8'}},"
                + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','size':102,'digest':'" + C + "','platform':{'architecture':'amd64','os':'windows','os.version':'10.0.17763.1','os.features':['win32k']}}"
                + "],'annotations':{'a':'b'}}";
        ImageIndex idx = assertInstanceOf(ImageIndex.class, ManifestParser.parse(bytes(json), MediaTypes.OCI_INDEX, IMG));
        assertEquals(3, idx.manifests().size());
        assertEquals("v8", idx.manifests().get(1).platform().variant());
        assertEquals("10.0.17763.1", idx.manifests().get(2).platform().osVersion());
        assertEquals(List.of("win32k"), idx.manifests().get(2).platform().osFeatures());
        assertEquals("b", idx.annotations().get("a"));
    }

    @Test
    void dockerManifestList() {
        String json = "{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.list.v2+json','manifests':["
                + "{'mediaType':'application/vnd.docker.distribution.manifest.v2+json','size':528,'digest':'" + A + "','platform':{'architecture':'amd64','os':'linux'}}]}";
        assertInstanceOf(ImageIndex.class, ManifestParser.parse(bytes(json), "application/json", IMG));
    }

    @Test
    void kindFromContentTypeThenShape() {
        String noTypeManifest = "{'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','size':2,'digest':'" + A + "'},'layers':[]}";
        assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(noTypeManifest), MediaTypes.OCI_MANIFEST + "; charset=utf-8", IMG));
        assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(noTypeManifest), "application/octet-stream", IMG));
        String noTypeIndex = "{'schemaVersion':2,'manifests':[]}";
        assertInstanceOf(ImageIndex.class, ManifestParser.parse(bytes(noTypeIndex), null, IMG));
        assertInstanceOf(ImageIndex.class, ManifestParser.parse(bytes(noTypeIndex), MediaTypes.OCI_INDEX, IMG));
        fails("{'schemaVersion':2}", "application/json");
    }

    @Test
    void mediaTypeFieldBeatsHeader() {
        String json = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[]}";
        assertInstanceOf(ImageIndex.class, ManifestParser.parse(bytes(json), MediaTypes.OCI_MANIFEST, IMG));
    }

    @Test
    void schema1Refused() {
        String msg = "image \"" + IMG + "\" uses Docker image manifest schema 1, which is deprecated and unsupported;"
                + " ask the publisher to push a current image";
        assertEquals(msg, fails("{'schemaVersion':1,'name':'x','tag':'latest','fsLayers':[]}", "application/json").getMessage());
        assertEquals(msg, fails("{'schemaVersion':1}", MediaTypes.DOCKER_MANIFEST_SCHEMA1_SIGNED).getMessage());
        assertEquals(msg, fails("{'mediaType':'application/vnd.docker.distribution.manifest.v1+json','schemaVersion':2}", null).getMessage());
    }

    @Test
    void malformedJson() {
        assertTrue(fails("{'schemaVersion':2,", null).getMessage().startsWith("manifest for " + IMG + ": malformed JSON: "));
        assertTrue(fails("not json at all", null).getMessage().startsWith("manifest for " + IMG + ": malformed JSON: "));
        assertTrue(fails("[1,2]", null).getMessage().endsWith("not a JSON object"));
        assertTrue(fails("", null).getMessage().contains("empty document"));
        assertTrue(fails("{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json','config':{'size':1,'digest':'" + A
                + "'},'layers':{'a':1}}", null).getMessage().contains("layers is not a list"));
        assertTrue(fails("{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json','config':{'size':1,'digest':'" + A
                + "'},'annotations':{'a':[1]}}", null).getMessage().contains("invalid structure"));
        assertTrue(fails("{'schemaVersion':3,'manifests':[]}", null).getMessage().contains("unsupported schemaVersion 3"));
        assertTrue(fails("{'schemaVersion':2,'mediaType':'text/html','manifests':[]}", null).getMessage()
                .contains("unsupported manifest media type \"text/html\""));
    }

    @Test
    void nonSha256DigestsRefusedNamingTheField() {
        String layer = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json',"
                + "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','size':2,'digest':'" + A + "'},"
                + "'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','size':1,'digest':'" + B + "'},"
                + "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','size':1,'digest':'sha512:" + "a".repeat(128) + "'}]}";
        String m = fails(layer, null).getMessage();
        assertTrue(m.startsWith("manifest for " + IMG + ": layers[1].digest "), m);
        assertTrue(m.contains("is not a sha256 digest"), m);

        String config = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json',"
                + "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','size':2,'digest':'sha256:" + "A".repeat(64) + "'},'layers':[]}";
        assertTrue(fails(config, null).getMessage().contains("config.digest"));
        String idx = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[{'size':1,'digest':'sha256:abc'}]}";
        assertTrue(fails(idx, null).getMessage().contains("manifests[0].digest"));
        String missingSize = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[{'digest':'" + A + "'}]}";
        assertTrue(fails(missingSize, null).getMessage().contains("manifests[0].size is missing"));
        String negative = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[{'digest':'" + A + "','size':-1}]}";
        assertTrue(fails(negative, null).getMessage().contains("manifests[0].size -1 is not a valid size"));
    }

    @Test
    void sizeCap() {
        byte[] big = new byte[ManifestParser.MAX_DOCUMENT_BYTES + 1];
        ImageException e = assertThrows(ImageException.class, () -> ManifestParser.parse(big, null, IMG));
        assertTrue(e.getMessage().contains("bytes allowed"));
        assertThrows(ImageException.class, () -> ManifestParser.parseConfig(big, IMG));
    }

    @Test
    void config() {
        String json = "{'created':'2024-01-26T23:44:46.123456789Z','architecture':'amd64','os':'linux',"
                + "'config':{'User':'1000:1000','ExposedPorts':{'80/tcp':{}},'Env':['PATH=/usr/bin','A=b'],'Entrypoint':['/init'],"
                + "'Cmd':['sh','-c','echo hi'],'Volumes':{'/data':{}},'WorkingDir':'/app','Labels':{'k':'v'},'StopSignal':'SIGQUIT',"
                + "'Healthcheck':{'Test':['NONE']}},"
                + "'rootfs':{'type':'layers','diff_ids':['" + A + "','" + B + "']},"
                + "'history':[{'created':'2024-01-26T23:44:46Z','created_by':'ADD file','empty_layer':false},{'comment':'x','empty_layer':true}]}";
        ImageConfig c = ManifestParser.parseConfig(bytes(json), IMG);
        assertEquals("amd64", c.architecture());
        assertEquals("1000:1000", c.config().user());
        assertTrue(c.config().exposedPorts().containsKey("80/tcp"));
        assertEquals(List.of("PATH=/usr/bin", "A=b"), c.config().env());
        assertEquals(List.of("/init"), c.config().entrypoint());
        assertEquals(List.of("sh", "-c", "echo hi"), c.config().cmd());
        assertTrue(c.config().volumes().containsKey("/data"));
        assertEquals("/app", c.config().workingDir());
        assertEquals("v", c.config().labels().get("k"));
        assertEquals("SIGQUIT", c.config().stopSignal());
        assertEquals(List.of(A, B), c.diffIds());
        assertEquals(2, c.history().size());
        assertEquals(Boolean.TRUE, c.history().get(1).emptyLayer());
        assertEquals(1706312686L, c.createdInstant().getEpochSecond());

        ImageConfig sparse = ManifestParser.parseConfig(bytes("{'rootfs':{'type':'layers','diff_ids':[]},'created':'garbage'}"), IMG);
        assertNull(sparse.config());
        assertNull(sparse.createdInstant());
        assertEquals(List.of(), sparse.diffIds());

        assertTrue(assertThrows(ImageException.class, () -> ManifestParser.parseConfig(bytes("{'rootfs':{'type':'layers','diff_ids':['md5:1']}}"), IMG))
                .getMessage().contains("rootfs.diff_ids[0]"));
        assertTrue(assertThrows(ImageException.class, () -> ManifestParser.parseConfig(bytes("{'os':'linux'}"), IMG))
                .getMessage().contains("missing rootfs"));
        assertTrue(assertThrows(ImageException.class, () -> ManifestParser.parseConfig(bytes("{'rootfs':"), IMG))
                .getMessage().startsWith("config of " + IMG + ": malformed JSON"));
    }

    @Test
    void recordsSerialiseWithoutNulls() throws Exception {
        String s = Json.mapper().writeValueAsString(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, A, 5));
        assertEquals("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + A + "\",\"size\":5}", s);
        String p = Json.mapper().writeValueAsString(new Platform("amd64", "windows", "10.0", List.of("win32k"), null));
        assertEquals("{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0\",\"os.features\":[\"win32k\"]}", p);
    }
}
