package net.mignet.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Reads the small JSON documents of image layouts (index, manifests) with the YAML loader, JSON being YAML. */
final class Json {
    private Json() {
    }

    static Map<String, Object> object(Path file) throws BuildFailure {
        try {
            Object doc = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
            if (doc instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) m;
                return map;
            }
            throw new BuildFailure(file + " is not a JSON object");
        } catch (IOException e) {
            throw new BuildFailure("cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new BuildFailure(file + " is not valid JSON: " + e.getMessage());
        }
    }

    static List<Object> array(Path file) throws BuildFailure {
        try {
            Object doc = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
            if (doc instanceof List<?> l) {
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) l;
                return list;
            }
            throw new BuildFailure(file + " is not a JSON array");
        } catch (IOException e) {
            throw new BuildFailure("cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new BuildFailure(file + " is not valid JSON: " + e.getMessage());
        }
    }

    static String string(Map<String, Object> object, String key) {
        return object.get(key) instanceof String s ? s : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> objectAt(Map<String, Object> object, String key) {
        return object.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(Map<String, Object> object, String key) {
        return object.get(key) instanceof List<?> l
                ? l.stream().filter(Map.class::isInstance).map(o -> (Map<String, Object>) o).toList() : List.of();
    }
}
