package io.assetcost.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Compares the {@code table_fingerprints} of two or more {@code run_summary.json} files (each an
 * order-independent checksum of a table's rows) and checks that every run completed with exit code 0.
 * Used by {@code scripts/cluster-test.sh} to hold a cluster run to a local one.
 * Usage: {@code CompareRunSummaries REFERENCE.json OTHER.json...}; exits 0 when all agree, else 1 with one
 * line per difference.
 */
public final class CompareRunSummaries {
    private CompareRunSummaries() {}

    /**
     * Compares the summaries.
     *
     * @param args the reference summary, then the others
     * @throws IOException when a summary cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CompareRunSummaries REFERENCE.json OTHER.json...");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode reference = json.readTree(new File(args[0]));
        int differences = 0;
        for (String path : args) {
            JsonNode other = json.readTree(new File(path));
            if (other.path("exit_code").asInt(-1) != 0) {
                System.err.println(path + ": exit_code " + other.path("exit_code"));
                differences++;
            }
            Iterator<Map.Entry<String, JsonNode>> tables =
                    reference.path("table_fingerprints").fields();
            while (tables.hasNext()) {
                Map.Entry<String, JsonNode> t = tables.next();
                JsonNode theirs = other.path("table_fingerprints").path(t.getKey());
                if (!t.getValue().equals(theirs)) {
                    System.err.println(
                            path + ": table " + t.getKey() + " is " + theirs + ", " + args[0] + " has " + t.getValue());
                    differences++;
                }
            }
        }
        System.out.println(
                differences == 0 ? "all " + args.length + " runs wrote the same tables" : differences + " differences");
        System.exit(differences == 0 ? 0 : 1);
    }
}
