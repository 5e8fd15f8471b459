package io.assetcost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.io.ShufflePartitions;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job on the shipped sample data, end to end, as the README runs it: invariants, outputs read back
 * without Spark and held to the schemas/ contracts, and a rerun that writes identical data.
 */
class SampleDataEndToEndTest extends SparkTestBase {

    private static Path first;
    private static Path second;
    private static JsonNode summary;

    /** Column lists of the two reports exactly as the README and docs/TABLES.md name them. */
    private static final List<String> DESIGN_CPA = List.of(
            "cohort_date",
            "workflow_id",
            "assets",
            "assets_approved",
            "assets_rejected",
            "assets_pending",
            "requests",
            "images_generated",
            "total_cost_usd",
            "resolved_cost_usd",
            "pending_cost_usd",
            "direct_cost_usd",
            "waste_cost_usd",
            "cost_per_approved_asset_usd",
            "direct_cost_per_approved_asset_usd",
            "iteration_factor",
            "waste_share",
            "cache_savings_usd");

    private static final List<String> DESIGN_RETRY_WASTE = List.of(
            "cohort_date",
            "workflow_id",
            "waste_reason",
            "requests",
            "images_generated",
            "waste_cost_usd",
            "share_of_resolved_cost");
    private static final List<String> DESIGN_QUARANTINE =
            List.of("source", "reason", "detail", "raw_record", "source_file", "source_format");

    private static final List<String> COST_TABLES = OutputTable.writtenBy(OutputTable.Job.COST).stream()
            .map(OutputTable::tableName)
            .toList();

    @BeforeAll
    static void runTwice() throws Exception {
        first = tempDir("e2e-first").resolve("out");
        second = tempDir("e2e-second").resolve("out");
        assertThat(runJob(first)).isZero();
        // The second run sizes its shuffle partitions from its input (1 for the sample) where the first takes the
        // session's 2: the tables must not depend on the count.
        spark.conf().unset(ShufflePartitions.KEY);
        try {
            assertThat(runJob(second)).isZero();
        } finally {
            spark.conf().set(ShufflePartitions.KEY, "2");
        }
        summary = new ObjectMapper().readTree(first.resolve("run_summary.json").toFile());
    }

    static int runJob(Path out, String... extra) {
        return CostJob.execute(sampleArgs(out, extra), System.out, System.err, spark);
    }

    @Test
    void everyInvariantHoldsAndEveryRecordIsAccountedFor() {
        for (JsonNode check : summary.get("invariants")) {
            assertThat(check.get("passed").asBoolean()).as(check.toString()).isTrue();
        }
        for (String input : List.of("usage", "acceptance")) {
            JsonNode in = summary.get("inputs").get(input);
            long used = in.has("priced")
                    ? in.get("priced").asLong()
                    : in.get("decisions_used").asLong();
            assertThat(in.get("records_read").asLong())
                    .as(input)
                    .isEqualTo(used
                            + in.get("quarantined").asLong()
                            + in.get("exact_duplicates_dropped").asLong());
            assertThat(in.get("quarantined").asLong())
                    .as(input + ": the sample has bad records to show")
                    .isPositive();
        }
        for (String input : List.of("usage", "acceptance")) {
            summary.get("inputs")
                    .get(input)
                    .get("quarantined_by_reason")
                    .fieldNames()
                    .forEachRemaining(
                            code -> assertThat(QuarantineReason.of(code).sources())
                                    .as(code)
                                    .contains(input));
        }
        JsonNode reasons = summary.get("inputs").get("usage").get("quarantined_by_reason");
        assertThat(reasons.fieldNames())
                .toIterable()
                .contains(
                        "malformed_record",
                        "missing_field",
                        "negative_tokens",
                        "cached_exceeds_total",
                        "no_rate",
                        "conflicting_duplicate");
        assertThat(summary.get("exit_code").asInt()).isZero();
    }

    @Test
    void conservationHoldsToTheLastDecimalInTheFilesAsWritten() throws Exception {
        BigDecimal requests = sum(read(first, OutputTable.REQUEST_COSTS.tableName()), "cost_usd");
        List<GenericRecord> assets = read(first, OutputTable.ASSET_COSTS.tableName());
        List<GenericRecord> cohorts = read(first, OutputTable.COST_PER_APPROVED_ASSET.tableName());
        assertThat(requests.signum()).isPositive();
        assertThat(requests.scale()).isEqualTo(12);
        assertThat(sum(assets, "total_cost_usd")).isEqualTo(requests);
        assertThat(sum(assets, "direct_cost_usd")
                        .add(sum(assets, "waste_cost_usd"))
                        .add(sum(assets, "pending_cost_usd")))
                .isEqualTo(requests);
        assertThat(sum(cohorts, "total_cost_usd")).isEqualTo(requests);
        assertThat(sum(cohorts, "resolved_cost_usd").add(sum(cohorts, "pending_cost_usd")))
                .isEqualTo(requests);
        assertThat(sum(cohorts, "direct_cost_usd")
                        .add(sum(cohorts, "waste_cost_usd"))
                        .add(sum(cohorts, "pending_cost_usd")))
                .isEqualTo(requests);
        // Retry waste is the waste of resolved assets, split by reason.
        assertThat(sum(read(first, OutputTable.RETRY_WASTE.tableName()), "waste_cost_usd"))
                .isEqualTo(sum(cohorts, "waste_cost_usd"));
        assertThat(new BigDecimal(summary.get("totals").get("total_cost_usd").asText()))
                .isEqualTo(requests);
    }

    @Test
    void parquetTablesMatchTheirSchemaContracts() throws Exception {
        for (String table : COST_TABLES) {
            Schema contract = Schemas.avro(table);
            // The footer's own types: column order, physical type and logical annotation per column.
            MessageType file = footer(first, table);
            String partition = OutputTable.valueOf(table.toUpperCase(java.util.Locale.ROOT))
                    .partitionColumn();
            assertThat(file.getFields())
                    .extracting(Type::getName)
                    .as(table)
                    .containsExactlyElementsOf(contract.getFields().stream()
                            .map(Schema.Field::name)
                            .filter(n -> !n.equals(partition))
                            .toList());
            for (Schema.Field want : contract.getFields()) {
                if (want.name().equals(partition)) {
                    // A Hive-style partition column lives in the directory names: a date each.
                    assertThat(describe(want.schema())).isEqualTo("date");
                    try (Stream<Path> dirs = Files.list(first.resolve(table))) {
                        assertThat(dirs.filter(Files::isDirectory)
                                        .map(d -> d.getFileName().toString())
                                        .toList())
                                .isNotEmpty()
                                .allSatisfy(d -> assertThat(d).matches(partition + "=\\d{4}-\\d{2}-\\d{2}"));
                    }
                    continue;
                }
                assertThat(describe(file.getType(want.name())))
                        .as(table + "." + want.name())
                        .isEqualTo(describe(want.schema()));
            }
            List<GenericRecord> rows = read(first, table);
            assertThat(rows).as(table).isNotEmpty();
            for (Schema.Field want : contract.getFields()) {
                if (!want.schema().isNullable() && !want.name().equals(partition)) {
                    assertThat(rows)
                            .as(table + "." + want.name() + " is never null")
                            .allSatisfy(r -> assertThat(r.get(want.name())).isNotNull());
                }
            }
        }
    }

    @Test
    void reportCsvFilesHaveTheDesignColumnsPlainDecimalsAndIsoTimes() throws Exception {
        Map<String, List<String>> expected = Map.of(
                OutputTable.COST_PER_APPROVED_ASSET.tableName(),
                DESIGN_CPA,
                OutputTable.RETRY_WASTE.tableName(),
                DESIGN_RETRY_WASTE,
                OutputTable.QUARANTINE.tableName(),
                DESIGN_QUARANTINE);
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            TestCsv.Parsed parsed = TestCsv.read(first.resolve(e.getKey() + ".csv"));
            List<String> header = parsed.header();
            List<CSVRecord> records = parsed.records();
            assertThat(header).as(e.getKey()).containsExactlyElementsOf(e.getValue());
            assertThat(header).as(e.getKey()).containsExactlyElementsOf(Schemas.fieldNames(e.getKey()));
            assertThat(records).as(e.getKey()).hasSize(read(first, e.getKey()).size());
            for (CSVRecord rec : records) {
                for (String column : header) {
                    String v = rec.get(column);
                    if (column.endsWith("_usd")
                            || column.equals("waste_share")
                            || column.equals("iteration_factor")
                            || column.equals("share_of_resolved_cost")) {
                        assertThat(v).as(column).matches("^$|^-?\\d+\\.\\d{12}$");
                    }
                    if (column.equals("cohort_date")) {
                        assertThat(v).matches("^\\d{4}-\\d{2}-\\d{2}$");
                    }
                }
            }
        }
        // A reviewer's reason with a line break and quotes survives the trip through quarantine.csv.
        String quarantine = Files.readString(first.resolve("quarantine.csv"), StandardCharsets.UTF_8);
        assertThat(quarantine).startsWith("source,reason,detail,raw_record,source_file,source_format\r\n");
    }

    @Test
    void aSecondRunOnTheSameInputsWritesIdenticalData() throws Exception {
        for (String table : COST_TABLES) {
            assertThat(rowsAsText(second, table)).as(table).isEqualTo(rowsAsText(first, table));
        }
        for (String csv : OutputTable.writtenBy(OutputTable.Job.COST).stream()
                .filter(OutputTable::csv)
                .map(OutputTable::tableName)
                .toList()) {
            assertThat(Files.readAllBytes(second.resolve(csv + ".csv")))
                    .as(csv)
                    .isEqualTo(Files.readAllBytes(first.resolve(csv + ".csv")));
        }
        JsonNode again =
                new ObjectMapper().readTree(second.resolve("run_summary.json").toFile());
        assertThat(again.get("table_fingerprints")).isEqualTo(summary.get("table_fingerprints"));
        assertThat(summary.get("shuffle_partitions").asInt())
                .as("as configured")
                .isEqualTo(2);
        assertThat(again.get("shuffle_partitions").asInt())
                .as("sized from the sample's input")
                .isEqualTo(1);
    }

    @Test
    void theSampleWorkflowsIterateAsTheSeedBudgetsPlan() throws Exception {
        // shared/seeds 002: plan 1.2x with strict baselines, 1.8x exploring, 2.5x from scratch.
        Map<String, long[]> byWorkflow = new HashMap<>();
        for (GenericRecord r : read(first, OutputTable.ASSET_COSTS.tableName())) {
            long[] acc = byWorkflow.computeIfAbsent(r.get("workflow_id").toString(), k -> new long[2]);
            String status = r.get("status").toString();
            if (!status.equals("pending")) {
                acc[0] += (Long) r.get("images_generated");
            }
            if (status.equals("approved")) {
                acc[1]++;
            }
        }
        assertThat(ratio(byWorkflow.get("ecommerce-pdp"))).isBetween(1.0, 1.5);
        assertThat(ratio(byWorkflow.get("ugc-hooks"))).isBetween(1.5, 2.3);
        assertThat(ratio(byWorkflow.get("saas-hero"))).isBetween(2.0, 3.2);
    }

    @Test
    void tooMuchQuarantinedUsageExitsThreeAfterWritingEverything() throws Exception {
        Path out = tempDir("e2e-strict").resolve("out");
        assertThat(runJob(out, "--max-quarantined-fraction", "0.001")).isEqualTo(3);
        JsonNode strict =
                new ObjectMapper().readTree(out.resolve("run_summary.json").toFile());
        assertThat(strict.get("exit_code").asInt()).isEqualTo(3);
        assertThat(Files.exists(out.resolve("cost_per_approved_asset.csv"))).isTrue();
    }

    /**
     * Write, audit, then publish: a run whose staged tables fail an invariant (here one added to the job's own,
     * which no input makes fail) exits 1 with one line that names it, and leaves the published tables, their CSV
     * files and the report byte for byte as the run before published them; the summary says nothing was
     * published and carries the published tables' fingerprints.
     */
    @Test
    void aFailingInvariantPublishesNothingAndLeavesThePublishedTablesAsTheyWere() throws Exception {
        Path out = tempDir("e2e-invariant").resolve("out");
        org.apache.commons.io.FileUtils.copyDirectory(first.toFile(), out.toFile());
        Map<String, byte[]> before = publishedFiles(out, "run_summary.json");
        assertThat(before).containsKeys("cost_per_approved_asset.csv", "report.html");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

        int code = CostJob.execute(
                sampleArgs(out),
                System.out,
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8),
                spark,
                checks -> {
                    List<io.assetcost.run.Invariant> more = new ArrayList<>(checks);
                    more.add(new io.assetcost.run.Invariant("a check that fails", false, "1 vs 2"));
                    return more;
                });

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip().lines().toList())
                .singleElement()
                .asString()
                .startsWith("assetcost: exit 1: invariant failed: a check that fails (1 vs 2); nothing published");
        assertSameFiles(before, publishedFiles(out, "run_summary.json"));
        JsonNode refused =
                new ObjectMapper().readTree(out.resolve("run_summary.json").toFile());
        assertThat(refused.get("exit_code").asInt()).isEqualTo(1);
        assertThat(refused.get("published").asBoolean()).isFalse();
        assertThat(refused.get("table_fingerprints"))
                .as("the published tables' fingerprints are the run's before")
                .isEqualTo(summary.get("table_fingerprints"));
        assertThat(refused.get("invariants").findValuesAsText("name")).contains("a check that fails");
    }

    private static double ratio(long[] acc) {
        return (double) acc[0] / acc[1];
    }

    /**
     * Reads every Parquet part of a table with parquet-avro (no Spark), with decimal and time conversions;
     * rows of a partitioned table lack the partition column, which is in their directory's name.
     */
    static List<GenericRecord> read(Path out, String table) throws Exception {
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        model.addLogicalTypeConversion(new TimeConversions.DateConversion());
        Configuration conf = new Configuration(false);
        List<GenericRecord> rows = new ArrayList<>();
        List<Path> parts;
        try (Stream<Path> files = Files.walk(out.resolve(table))) {
            parts = files.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .sorted()
                    .toList();
        }
        for (Path part : parts) {
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(part.toUri()), conf))
                    .withDataModel(model)
                    .build()) {
                for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                    rows.add(r);
                }
            }
        }
        return rows;
    }

    private static List<String> rowsAsText(Path out, String table) throws Exception {
        return read(out, table).stream().map(Object::toString).sorted().toList();
    }

    private static BigDecimal sum(List<GenericRecord> rows, String column) {
        BigDecimal total = BigDecimal.ZERO.setScale(12);
        for (GenericRecord r : rows) {
            total = total.add((BigDecimal) r.get(column));
        }
        return total;
    }

    /** The Parquet schema in a table's first part file's footer. */
    private static MessageType footer(Path out, String table) throws Exception {
        Path part;
        try (Stream<Path> files = Files.walk(out.resolve(table))) {
            part = files.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
        try (ParquetFileReader reader = ParquetFileReader.open(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(part.toUri()), new Configuration(false)))) {
            return reader.getFooter().getFileMetaData().getSchema();
        }
    }

    /** A Parquet column's type in the contract's terms. */
    private static String describe(Type column) {
        LogicalTypeAnnotation logical = column.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
            return "decimal(" + d.getPrecision() + "," + d.getScale() + ")";
        }
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t) {
            return t.isAdjustedToUTC() && t.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS
                    ? "timestamp-micros"
                    : "timestamp(" + t + ")";
        }
        if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
            return "date";
        }
        if (logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
            return "string";
        }
        return switch (column.asPrimitiveType().getPrimitiveTypeName()) {
            case INT64 -> "long";
            case INT32 -> "int";
            case BOOLEAN -> "boolean";
            default -> column.asPrimitiveType().getPrimitiveTypeName().name();
        };
    }

    /** A type as the contract means it: primitive kind plus logical type, null unions unwrapped. */
    private static String describe(Schema s) {
        Schema t = s;
        if (s.isUnion()) {
            t = s.getTypes().stream()
                    .filter(x -> x.getType() != Schema.Type.NULL)
                    .findFirst()
                    .orElseThrow();
        }
        LogicalType logical = t.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal d) {
            return "decimal(" + d.getPrecision() + "," + d.getScale() + ")";
        }
        if (logical != null) {
            return logical.getName();
        }
        return t.getType().getName();
    }
}
