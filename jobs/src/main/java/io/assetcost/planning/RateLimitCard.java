package io.assetcost.planning;

import io.assetcost.pricing.RateCard;
import io.assetcost.run.ConfigFiles;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rate-limit card (contract {@code schemas/rate_limit_card.avsc}): the images per minute (IPM) and
 * tokens per minute (TPM) an organization may use of one image model at each usage tier, effective-dated
 * like the rate card. The embedded default carries gpt-image-2's published limits, Tier 1 to Tier 5 (100,000
 * TPM / 5 IPM up to 8,000,000 / 250: OpenAI's model page as the seed pricing guides quote it);
 * {@code --rate-limits FILE} replaces it. A card is validated whole when read: positive limits, tiers from 1,
 * {@code effective_from} before {@code effective_to}, no two rows of one model and tier in force at once; a
 * card that breaks a rule is unusable input (exit 2 with the line).
 */
public final class RateLimitCard {

    /** Classpath resource of the embedded default card. */
    public static final String DEFAULT = "assetcost/default-rate-limits.csv";

    /** Columns a card must have (its contract's; {@code source} is optional). */
    public static final List<String> REQUIRED_COLUMNS = Schemas.requiredColumns(Schemas.RATE_LIMIT_CARD);

    /** Columns of {@link #dataset}: model, tier, ipm, tpm, from and to in microseconds since the epoch (UTC). */
    public static final StructType SCHEMA = new StructType()
            .add("limit_model", DataTypes.StringType, false)
            .add("tier", DataTypes.IntegerType, false)
            .add("images_per_minute", DataTypes.LongType, false)
            .add("tokens_per_minute", DataTypes.LongType, false)
            .add("limit_from_us", DataTypes.LongType, false)
            .add("limit_to_us", DataTypes.LongType, true);

    /**
     * One row.
     *
     * @param model model or dated snapshot
     * @param tier usage tier, 1 and up
     * @param imagesPerMinute IPM allowed
     * @param tokensPerMinute TPM allowed
     * @param from first instant in force (inclusive, UTC)
     * @param to first instant no longer in force (exclusive, UTC), or null
     */
    public record Limit(String model, int tier, long imagesPerMinute, long tokensPerMinute, Instant from, Instant to) {}

    private final List<Limit> limits;
    private final String description;

    private RateLimitCard(List<Limit> limits, String description) {
        this.limits = List.copyOf(limits);
        this.description = description;
    }

    /**
     * Loads the card: the embedded default, or a CSV file on any Hadoop file system.
     *
     * @param conf Hadoop configuration
     * @param location the card's path, or null for the embedded default
     * @return the validated card
     * @throws InputException when it cannot be read or breaks a rule
     */
    public static RateLimitCard load(Configuration conf, String location) {
        return ConfigFiles.read(conf, "--rate-limits", location, DEFAULT, RateLimitCard::fromCsv);
    }

    /**
     * Reads a card CSV (header row; UTF-8; RFC 4180).
     *
     * @param reader the CSV text
     * @param description the path or name, for messages
     * @return the validated card
     * @throws InputException with the line and what to fix
     */
    public static RateLimitCard fromCsv(Reader reader, String description) {
        List<Limit> limits = new ArrayList<>();
        try (CSVParser parser =
                ConfigFiles.csv(reader, "rate-limit card", description, REQUIRED_COLUMNS, List.of("source"), true)) {
            for (CSVRecord r : parser) {
                limits.add(parse(r, "rate-limit card " + description + " line " + parser.getCurrentLineNumber()));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InputException("rate-limit card " + description + " is not readable CSV: " + e.getMessage(), e);
        }
        if (limits.isEmpty()) {
            throw new InputException("rate-limit card " + description + " has no rows");
        }
        noOverlaps(limits, description);
        return new RateLimitCard(limits, description);
    }

    private static Limit parse(CSVRecord r, String where) {
        if (!r.isConsistent()) {
            throw new InputException(where + ": has " + r.size() + " fields, the header has more or fewer");
        }
        String model = r.get("model");
        if (model.isEmpty()) {
            throw new InputException(where + ": model is empty");
        }
        long tier = positive(r.get("tier"), "tier", where);
        long ipm = positive(r.get("images_per_minute"), "images_per_minute", where);
        long tpm = positive(r.get("tokens_per_minute"), "tokens_per_minute", where);
        if (tier > 100) {
            throw new InputException(where + ": tier " + tier + " is not a usage tier (1 and up)");
        }
        Instant from = RateCard.instant(r.get("effective_from"), "effective_from", where);
        String toText = r.get("effective_to");
        Instant to = toText == null || toText.isEmpty() ? null : RateCard.instant(toText, "effective_to", where);
        if (to != null && !from.isBefore(to)) {
            throw new InputException(where + ": effective_from " + from + " is not before effective_to " + to);
        }
        return new Limit(model, (int) tier, ipm, tpm, from, to);
    }

    private static long positive(String text, String column, String where) {
        try {
            long v = Long.parseLong(text);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InputException(where + ": " + column + " '" + text + "' is not a whole number of 1 or more");
    }

    private static void noOverlaps(List<Limit> limits, String description) {
        Map<String, List<Limit>> byKey = new LinkedHashMap<>();
        for (Limit l : limits) {
            byKey.computeIfAbsent(l.model() + "\u0000" + l.tier(), k -> new ArrayList<>())
                    .add(l);
        }
        for (List<Limit> same : byKey.values()) {
            same.sort(Comparator.comparing(Limit::from));
            for (int i = 1; i < same.size(); i++) {
                Limit prev = same.get(i - 1);
                if (prev.to() == null || prev.to().isAfter(same.get(i).from())) {
                    throw new InputException("rate-limit card " + description + ": " + prev.model() + " tier "
                            + prev.tier() + " has overlapping rows from " + prev.from() + " and from "
                            + same.get(i).from() + " (close the earlier one with effective_to)");
                }
            }
        }
    }

    /** The rows, in the order read. */
    public List<Limit> limits() {
        return limits;
    }

    /** Where the card came from. */
    public String description() {
        return description;
    }

    /**
     * The card as a small dataset to broadcast, columns {@link #SCHEMA}.
     *
     * @return one row per card row
     */
    public Dataset<Row> dataset(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        for (Limit l : limits) {
            rows.add(RowFactory.create(
                    l.model(),
                    l.tier(),
                    l.imagesPerMinute(),
                    l.tokensPerMinute(),
                    ChronoUnit.MICROS.between(Instant.EPOCH, l.from()),
                    l.to() == null ? null : ChronoUnit.MICROS.between(Instant.EPOCH, l.to())));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }
}
