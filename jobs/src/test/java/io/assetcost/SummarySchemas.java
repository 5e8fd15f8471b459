package io.assetcost;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * A job summary's JSON Schema under docs/ (draft 2020-12, validated by networknt's json-schema-validator), and the
 * keys it names beside the keys the job's records make Jackson write, for the tests that hold the two together.
 *
 * @param schema the schema, to validate a summary with
 * @param tree the schema as a JSON tree
 */
public record SummarySchemas(Schema schema, JsonNode tree) {

    /** The mapper the tests read summaries with (the jobs write with a default mapper too). */
    public static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Loads a schema.
     *
     * @param name its file under docs/, e.g. {@code reconcile_summary.schema.json}
     * @return the schema
     * @throws UncheckedIOException when it cannot be read
     */
    public static SummarySchemas load(String name) {
        Path file = SparkTestBase.repoRoot().resolve("docs").resolve(name);
        try (InputStream in = Files.newInputStream(file)) {
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(in);
            return new SummarySchemas(schema, JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The keys the schema's {@code properties} name, as dotted paths ({@code []} for an array's items). */
    public Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        schemaKeys(tree, "", keys);
        return keys;
    }

    /**
     * The keys Jackson writes for a record, as dotted paths: nested records and lists of records included, an
     * unwrapped record's keys at its holder's level; maps stop.
     *
     * @param summary the summary's record class
     * @return the keys
     */
    public static Set<String> recordKeys(Class<?> summary) {
        Set<String> keys = new TreeSet<>();
        recordKeys(JSON.constructType(summary), "", keys);
        return keys;
    }

    private static void recordKeys(JavaType type, String prefix, Set<String> keys) {
        JavaType t = type;
        String p = prefix;
        if (t.isCollectionLikeType()) {
            t = t.getContentType();
            p = prefix + "[]";
        }
        if (!t.isRecordType()) {
            return;
        }
        for (BeanPropertyDefinition property :
                JSON.getSerializationConfig().introspect(t).findProperties()) {
            if (property.getPrimaryMember().hasAnnotation(JsonUnwrapped.class)) {
                recordKeys(property.getPrimaryType(), p, keys);
                continue;
            }
            String key = (p.isEmpty() ? "" : p + ".") + property.getName();
            keys.add(key);
            recordKeys(property.getPrimaryType(), key, keys);
        }
    }

    /** The keys a schema's {@code properties} name, through local {@code $ref}s and array {@code items}. */
    private void schemaKeys(JsonNode node, String prefix, Set<String> keys) {
        JsonNode n = node;
        if (n.has("$ref")) {
            n = tree.at(n.get("$ref").asText().substring(1));
        }
        if (n.has("items")) {
            schemaKeys(n.get("items"), prefix + "[]", keys);
            return;
        }
        if (!n.has("properties")) {
            return;
        }
        n.get("properties").properties().forEach(e -> {
            String key = (prefix.isEmpty() ? "" : prefix + ".") + e.getKey();
            keys.add(key);
            schemaKeys(e.getValue(), key, keys);
        });
    }
}
