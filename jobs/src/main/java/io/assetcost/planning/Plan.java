package io.assetcost.planning;

import io.assetcost.run.ConfigFiles;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A forecast plan (contract {@code schemas/plan.avsc}, CSV with header): how many finals (approved assets) a
 * team plans per workflow, optionally for a period, with a label and with the hours of generation it is spread
 * over (the pace the rate-limit check needs). {@code workflow_id, finals[, period, label, hours]}; one forecast
 * row per plan row.
 *
 * @param rows the plan's rows, in file order
 * @param description where the plan came from
 */
public record Plan(List<Row> rows, String description) {

    /** Columns a plan must have. */
    public static final List<String> REQUIRED_COLUMNS = Schemas.requiredColumns(Schemas.PLAN);

    /** The longest pace a plan row may give: a year of hours. */
    private static final BigDecimal MAX_HOURS = BigDecimal.valueOf(24L * 366);

    /**
     * One planned line.
     *
     * @param line its position in the plan, 1 for the first
     * @param workflowId the workflow whose measurements price it
     * @param finals approved assets wanted, 1 or more
     * @param period free text, e.g. {@code 2026-12}, or null
     * @param label free text, e.g. {@code Holiday drop: 12 SKUs x 2 angles}, or null
     * @param hours hours of generation the row's images are spread over (its pace: images / (hours x 60) a
     *     minute), more than 0, or null when the plan does not say
     */
    public record Row(int line, String workflowId, long finals, String period, String label, BigDecimal hours) {

        /** A row without a pace. */
        public Row(int line, String workflowId, long finals, String period, String label) {
            this(line, workflowId, finals, period, label, null);
        }
    }

    /**
     * Reads a plan CSV (header row; UTF-8; RFC 4180).
     *
     * @param reader the text
     * @param description the path, for messages
     * @throws InputException naming the line and what to fix
     */
    public static Plan fromCsv(Reader reader, String description) {
        List<Row> rows = new ArrayList<>();
        try (CSVParser parser = ConfigFiles.csv(
                reader, "plan", description, REQUIRED_COLUMNS, List.of("period", "label", "hours"), true)) {
            for (CSVRecord r : parser) {
                rows.add(parse(r, rows.size() + 1, "plan " + description + " line " + parser.getCurrentLineNumber()));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InputException("plan " + description + " is not readable CSV: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new InputException("plan " + description + " has no rows");
        }
        return new Plan(List.copyOf(rows), description);
    }

    private static Row parse(CSVRecord r, int line, String where) {
        if (!r.isConsistent()) {
            throw new InputException(where + ": has " + r.size() + " fields, unlike the header");
        }
        String workflow = r.get("workflow_id");
        if (workflow.isEmpty()) {
            throw new InputException(where + ": workflow_id is empty");
        }
        long finals;
        try {
            finals = Long.parseLong(r.get("finals"));
        } catch (NumberFormatException e) {
            finals = 0;
        }
        if (finals < 1 || finals > 1_000_000_000L) {
            throw new InputException(where + ": finals '" + r.get("finals") + "' is not a whole number from 1");
        }
        return new Row(line, workflow, finals, optional(r, "period"), optional(r, "label"), hours(r, where));
    }

    /** The optional pace: a positive decimal number of hours (at most a year), or null when the cell is empty. */
    private static BigDecimal hours(CSVRecord r, String where) {
        String text = optional(r, "hours");
        if (text == null) {
            return null;
        }
        try {
            BigDecimal h = new BigDecimal(text.strip());
            if (h.signum() > 0 && h.compareTo(MAX_HOURS) <= 0) {
                return h;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InputException(where + ": hours '" + text + "' is not a number of hours above 0 (at most " + MAX_HOURS
                + "); leave it empty for no pace");
    }

    private static String optional(CSVRecord r, String column) {
        return r.isMapped(column) && r.isSet(column) && !r.get(column).isEmpty() ? r.get(column) : null;
    }
}
