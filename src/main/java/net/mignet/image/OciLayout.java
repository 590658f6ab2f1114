package net.mignet.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads an OCI image layout (or the same layout inside an OCI archive, or a {@code docker save} archive's
 * {@code manifest.json}): which manifest a tag names, and its layers in order.
 */
final class OciLayout {
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_LIST_TYPE = "application/vnd.docker.distribution.manifest.list.v2+json";

    /** One layer: its file and media type (which says how it is compressed). */
    record Layer(Path file, String mediaType) {
    }

    /** An image: the digest that identifies its content, and its layers, bottom first. */
    record Image(String digest, List<Layer> layers) {
    }

    private OciLayout() {
    }

    static boolean isLayout(Path dir) {
        return Files.isRegularFile(dir.resolve("oci-layout")) && Files.isRegularFile(dir.resolve("index.json"));
    }

    /** The image of {@code tag} (or the only one, when {@code tag} is null) in the layout {@code dir}. */
    static Image read(Path dir, String tag) throws BuildFailure {
        if (!isLayout(dir)) {
            throw new BuildFailure(dir + " is not an OCI image layout (it has no oci-layout and index.json); make one"
                    + " with e.g. 'skopeo copy docker-archive:x.tar oci:" + dir + ":latest' or 'umoci'");
        }
        Map<String, Object> descriptor = pick(dir, Json.objects(Json.object(dir.resolve("index.json")), "manifests"),
                tag);
        while (isIndex(Json.string(descriptor, "mediaType"))) {
            descriptor = pickPlatform(dir, Json.objects(Json.object(blob(dir, descriptor)), "manifests"));
        }
        Map<String, Object> manifest = Json.object(blob(dir, descriptor));
        List<Layer> layers = new ArrayList<>();
        for (Map<String, Object> layer : Json.objects(manifest, "layers")) {
            layers.add(new Layer(blob(dir, layer), Json.string(layer, "mediaType")));
        }
        return new Image(Json.string(descriptor, "digest"), layers);
    }

    /** A {@code docker save} archive unpacked in {@code dir}: the first image of its manifest.json. */
    static Image readDockerSave(Path dir) throws BuildFailure {
        List<Object> entries = Json.array(dir.resolve("manifest.json"));
        if (entries.isEmpty() || !(entries.getFirst() instanceof Map<?, ?>)) {
            throw new BuildFailure(dir.resolve("manifest.json") + " names no image");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) entries.getFirst();
        List<Layer> layers = new ArrayList<>();
        if (first.get("Layers") instanceof List<?> names) {
            for (Object name : names) {
                Path file = dir.resolve(String.valueOf(name)).normalize();
                if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                    throw new BuildFailure("the docker archive's layer " + name + " is missing");
                }
                layers.add(new Layer(file, null));
            }
        }
        return new Image(String.valueOf(first.get("Config")), layers);
    }

    private static boolean isIndex(String mediaType) {
        return INDEX_TYPE.equals(mediaType) || DOCKER_LIST_TYPE.equals(mediaType);
    }

    private static Map<String, Object> pick(Path dir, List<Map<String, Object>> manifests, String tag)
            throws BuildFailure {
        if (manifests.isEmpty()) {
            throw new BuildFailure(dir + "/index.json lists no image");
        }
        List<String> tags = manifests.stream().map(m -> Json.string(Json.objectAt(m, "annotations"), REF_NAME))
                .filter(t -> t != null).toList();
        if (tag == null) {
            if (manifests.size() == 1) {
                return manifests.getFirst();
            }
            throw new BuildFailure(dir + " holds " + manifests.size() + " images; name one: oci:" + dir + ":TAG (tags: "
                    + String.join(", ", tags) + ")");
        }
        for (Map<String, Object> m : manifests) {
            String name = Json.string(Json.objectAt(m, "annotations"), REF_NAME);
            if (tag.equals(name) || (name != null && name.endsWith(":" + tag))) {
                return m;
            }
        }
        throw new BuildFailure(dir + " has no image tagged '" + tag + "' (tags: "
                + (tags.isEmpty() ? "none" : String.join(", ", tags)) + ")");
    }

    /** The linux/amd64 entry of a multi-platform index (the only platform these machines run). */
    private static Map<String, Object> pickPlatform(Path dir, List<Map<String, Object>> manifests)
            throws BuildFailure {
        for (Map<String, Object> m : manifests) {
            Map<String, Object> platform = Json.objectAt(m, "platform");
            if ("linux".equals(Json.string(platform, "os")) && "amd64".equals(Json.string(platform, "architecture"))) {
                return m;
            }
        }
        if (manifests.size() == 1) {
            return manifests.getFirst();
        }
        throw new BuildFailure(dir + " has no linux/amd64 image");
    }

    private static Path blob(Path dir, Map<String, Object> descriptor) throws BuildFailure {
        String digest = Json.string(descriptor, "digest");
        if (digest == null || !digest.matches("[a-z0-9]+:[a-f0-9]{32,128}")) {
            throw new BuildFailure("a descriptor in " + dir + " has no valid digest: " + digest);
        }
        Path file = dir.resolve("blobs").resolve(digest.substring(0, digest.indexOf(':')))
                .resolve(digest.substring(digest.indexOf(':') + 1));
        if (!Files.isRegularFile(file)) {
            throw new BuildFailure("the blob " + digest + " is missing from " + dir + "/blobs");
        }
        return file;
    }
}
