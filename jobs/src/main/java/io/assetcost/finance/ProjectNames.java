package io.assetcost.finance;

import io.assetcost.run.ConfigFiles;
import io.assetcost.run.InputException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Project names for FOCUS {@code SubAccountName}: a CSV file with header {@code project_id,project_name}
 * ({@code --project-names}). FOCUS requires a SubAccountName whenever SubAccountId is set (FOCUS_Spec,
 * {@code subaccountname.md}); without a name here the Costs API's {@code project_name} is used, and without that
 * the project id ({@link FocusExport}).
 */
public final class ProjectNames {

    private ProjectNames() {}

    /**
     * Reads the file.
     *
     * @param reader the CSV text
     * @param description path, for messages
     * @return project id to name, in id order
     * @throws InputException for a missing header, an empty id or name, or an id given twice (with the line)
     */
    public static Map<String, String> fromCsv(Reader reader, String description) {
        Map<String, String> names = new TreeMap<>();
        try (CSVParser parser = ConfigFiles.csv(
                reader, "project names", description, List.of("project_id", "project_name"), List.of(), false)) {
            for (CSVRecord r : parser) {
                String where = "project names " + description + " line " + parser.getCurrentLineNumber();
                String id = r.get("project_id").strip();
                String name = r.get("project_name").strip();
                if (id.isEmpty() || name.isEmpty()) {
                    throw new InputException(where + ": project_id and project_name must not be empty");
                }
                if (names.put(id, name) != null) {
                    throw new InputException(where + ": project " + id + " is named twice");
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InputException("project names " + description + " are not readable CSV: " + e.getMessage(), e);
        }
        return names;
    }
}
