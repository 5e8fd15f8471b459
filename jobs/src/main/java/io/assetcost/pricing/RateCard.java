package io.assetcost.pricing;

import io.assetcost.run.ConfigFiles;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;

/**
 * An effective-dated rate card: USD per 1M tokens per (model, service tier, meter), each price valid over
 * {@code [effective_from, effective_to)} in UTC (README, "Inputs"; contract {@code schemas/rate_card.avsc}).
 *
 * <p>A card is validated whole when it is read: for one model, tier and meter no two rows may overlap in
 * time, {@code effective_from} must come before {@code effective_to}, and a price may have at most
 * 6 decimal places so that the price of one token ({@code usd_per_1m_tokens / 1,000,000}) is exact at
 * scale 12, the scale of every money column. A card that breaks a rule is unusable input
 * ({@link InputException}, exit code 2), never a record to quarantine.
 *
 * <p>For pricing, {@link #segments()} flattens the rows of each (model, tier) into non-overlapping time
 * segments holding the rate of every meter in force over that segment, so a request meets its rates in a
 * single broadcast join without multiplying rows per meter.
 */
public final class RateCard implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Largest number of decimal places of a USD-per-1M price: keeps the per-token price exact at 12. */
    public static final int MAX_RATE_SCALE = 6;

    /** Most digits of a USD-per-1M price before the decimal point: the rate columns are decimal(18,6). */
    public static final int MAX_RATE_INTEGER_DIGITS = 12;

    /** Columns a rate card CSV must have (its contract's; {@code source} is optional). */
    public static final List<String> REQUIRED_COLUMNS = Schemas.requiredColumns(Schemas.RATE_CARD);

    /** Classpath resource of the embedded default rate card. */
    public static final String DEFAULT = "assetcost/default-rate-card.csv";

    /**
     * One row of the card.
     *
     * @param model base model name or dated snapshot
     * @param serviceTier default or batch
     * @param meter priced token class
     * @param usdPer1m USD per 1,000,000 tokens, at most 6 decimal places, not negative
     * @param from first instant in force (inclusive, UTC)
     * @param to first instant no longer in force (exclusive, UTC), or null for open-ended
     * @param source where the figure comes from, or null
     */
    public record Rate(
            String model, String serviceTier, Meter meter, BigDecimal usdPer1m, Instant from, Instant to, String source)
            implements Serializable {

        /** Whether the rate is in force at {@code t}: {@code from <= t < to}. */
        public boolean covers(Instant t) {
            return !t.isBefore(from) && (to == null || t.isBefore(to));
        }
    }

    /**
     * The rates of one (model, tier) over {@code [from, to)}: one nullable price per meter.
     *
     * @param model rate-card model name
     * @param serviceTier service tier
     * @param from segment start (inclusive, UTC)
     * @param to segment end (exclusive, UTC), or null for open-ended
     * @param usdPer1m price per meter, USD per 1M tokens; a meter the card does not price is absent
     */
    public record Segment(String model, String serviceTier, Instant from, Instant to, Map<Meter, BigDecimal> usdPer1m)
            implements Serializable {}

    private final List<Rate> rates;
    private final String description;

    private RateCard(List<Rate> rates, String description) {
        this.rates = List.copyOf(rates);
        this.description = description;
    }

    /**
     * Loads the rate card: the embedded default, or a CSV file on any Hadoop file system.
     *
     * @param conf Hadoop configuration
     * @param location the card's path, or null for the embedded default ({@link #DEFAULT})
     * @return the validated card
     * @throws InputException when it cannot be read or breaks a rule of this class
     */
    public static RateCard load(Configuration conf, String location) {
        return ConfigFiles.read(conf, "--rates", location, DEFAULT, RateCard::fromCsv);
    }

    /**
     * A validated card from rows already parsed.
     *
     * @param rates the rows
     * @param description where the card came from (a path or the embedded default), for messages
     * @return the card
     * @throws InputException naming the first rule a row breaks
     */
    public static RateCard of(List<Rate> rates, String description) {
        RateCard card = new RateCard(rates, description);
        card.validate();
        return card;
    }

    /**
     * Reads a rate card CSV (header row; UTF-8 with or without a byte-order mark; RFC 4180 quoting).
     * {@code effective_from} / {@code effective_to} take a date ({@code 2026-04-21}, midnight UTC) or an
     * ISO-8601 instant with {@code Z} or an offset; an empty {@code effective_to} is open-ended.
     *
     * @param reader the CSV text
     * @param description the path or name, used in every message
     * @return the validated card
     * @throws InputException with the line number and what to fix, for any unusable row or header
     */
    public static RateCard fromCsv(Reader reader, String description) {
        List<Rate> rates = new ArrayList<>();
        try (CSVParser parser =
                ConfigFiles.csv(reader, "rate card", description, REQUIRED_COLUMNS, List.of("source"), true)) {
            List<String> header = parser.getHeaderNames();
            boolean hasSource = header.contains("source");
            for (CSVRecord r : parser) {
                String where =
                        "rate card " + description + " line " + r.getParser().getCurrentLineNumber();
                if (!r.isConsistent()) {
                    throw new InputException(where + ": has " + r.size() + " fields, the header has " + header.size());
                }
                rates.add(parseRow(r, hasSource, where));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InputException("rate card " + description + " is not readable CSV: " + e.getMessage(), e);
        }
        if (rates.isEmpty()) {
            throw new InputException("rate card " + description + " has no rows");
        }
        return of(rates, description);
    }

    private static Rate parseRow(CSVRecord r, boolean hasSource, String where) {
        String model = required(r, "model", where);
        String tier = required(r, "service_tier", where);
        Meter meter;
        try {
            meter = Meter.fromId(required(r, "meter", where));
        } catch (IllegalArgumentException e) {
            throw new InputException(where + ": " + e.getMessage());
        }
        String priceText = required(r, "usd_per_1m_tokens", where);
        BigDecimal price;
        try {
            price = new BigDecimal(priceText);
        } catch (NumberFormatException e) {
            throw new InputException(where + ": usd_per_1m_tokens '" + priceText + "' is not a decimal number");
        }
        Instant from = instant(required(r, "effective_from", where), "effective_from", where);
        String toText = r.get("effective_to");
        Instant to = toText == null || toText.isEmpty() ? null : instant(toText, "effective_to", where);
        String source = hasSource && !r.get("source").isEmpty() ? r.get("source") : null;
        return new Rate(model, tier, meter, price, from, to, source);
    }

    private static String required(CSVRecord r, String column, String where) {
        String v = r.get(column);
        if (v == null || v.isEmpty()) {
            throw new InputException(where + ": " + column + " is empty");
        }
        return v;
    }

    /**
     * Parses an effective date of a card (this one, or the rate-limit card): a date (midnight UTC) or an
     * ISO-8601 instant with Z or an offset.
     *
     * @param text the cell
     * @param column the column, for the message
     * @param where the card and line, for the message
     * @return the instant
     * @throws InputException when it is neither
     */
    public static Instant instant(String text, String column, String where) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InputException(where + ": " + column + " '" + text
                    + "' is not a date (2026-04-21) or an ISO-8601 instant with Z or an offset");
        }
    }

    private void validate() {
        Map<String, List<Rate>> byKey = new LinkedHashMap<>();
        for (Rate r : rates) {
            String where = "rate card " + description + ": " + r.model() + "/" + r.serviceTier() + "/"
                    + r.meter().id();
            if (r.usdPer1m().signum() < 0) {
                throw new InputException(
                        where + " has a negative price " + r.usdPer1m().toPlainString());
            }
            if (r.usdPer1m().stripTrailingZeros().scale() > MAX_RATE_SCALE) {
                throw new InputException(where + " price " + r.usdPer1m().toPlainString() + " has more than "
                        + MAX_RATE_SCALE + " decimal places");
            }
            BigDecimal price = r.usdPer1m().stripTrailingZeros();
            if (price.precision() - price.scale() > MAX_RATE_INTEGER_DIGITS) {
                throw new InputException(where + " price " + r.usdPer1m().toPlainString() + " has more than "
                        + MAX_RATE_INTEGER_DIGITS + " digits before the decimal point (USD per 1M tokens)");
            }
            if (r.to() != null && !r.from().isBefore(r.to())) {
                throw new InputException(
                        where + " has effective_from " + r.from() + " not before effective_to " + r.to());
            }
            byKey.computeIfAbsent(r.model() + "\u0000" + r.serviceTier() + "\u0000" + r.meter(), k -> new ArrayList<>())
                    .add(r);
        }
        for (List<Rate> same : byKey.values()) {
            same.sort(Comparator.comparing(Rate::from));
            for (int i = 1; i < same.size(); i++) {
                Rate prev = same.get(i - 1);
                Rate next = same.get(i);
                if (prev.to() == null || prev.to().isAfter(next.from())) {
                    throw new InputException("rate card " + description + ": " + next.model() + "/"
                            + next.serviceTier() + "/" + next.meter().id() + " has overlapping rows from "
                            + prev.from() + " and from " + next.from() + " (close the earlier one with effective_to)");
                }
            }
        }
    }

    /** The rows, in the order read. */
    public List<Rate> rates() {
        return rates;
    }

    /** Where the card came from, for messages and the run summary. */
    public String description() {
        return description;
    }

    /** Every model name the card prices, for resolving dated snapshots to base names. */
    public Set<String> models() {
        return rates.stream().map(Rate::model).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The card as non-overlapping segments per (model, tier), each with the rate of every meter in force
     * throughout it. Segment bounds are every effective_from and effective_to of that (model, tier); a
     * segment in which no meter has a rate is left out.
     *
     * @return segments ordered by model, tier and start
     */
    public List<Segment> segments() {
        Map<String, List<Rate>> byModelTier = new LinkedHashMap<>();
        for (Rate r : rates) {
            byModelTier
                    .computeIfAbsent(r.model() + "\u0000" + r.serviceTier(), k -> new ArrayList<>())
                    .add(r);
        }
        List<Segment> out = new ArrayList<>();
        for (List<Rate> group : byModelTier.values()) {
            TreeSet<Instant> bounds = new TreeSet<>();
            for (Rate r : group) {
                bounds.add(r.from());
                if (r.to() != null) {
                    bounds.add(r.to());
                }
            }
            List<Instant> points = new ArrayList<>(bounds);
            for (int i = 0; i < points.size(); i++) {
                Instant start = points.get(i);
                Instant end = i + 1 < points.size() ? points.get(i + 1) : null;
                Map<Meter, BigDecimal> prices = new EnumMap<>(Meter.class);
                for (Rate r : group) {
                    if (r.covers(start)) {
                        prices.put(r.meter(), r.usdPer1m());
                    }
                }
                if (!prices.isEmpty()) {
                    out.add(new Segment(
                            group.get(0).model(),
                            group.get(0).serviceTier(),
                            start,
                            end,
                            Collections.unmodifiableMap(prices)));
                }
            }
        }
        out.sort(Comparator.comparing(Segment::model)
                .thenComparing(Segment::serviceTier)
                .thenComparing(Segment::from));
        return out;
    }

    /**
     * The rate of one meter in force at an instant, looked up row by row. Pricing never calls it (it joins
     * {@link #segments()}); it stays public because the sample-data generator bills the sample month with
     * it and the tests hold the card to the published prices with it.
     *
     * @return the USD-per-1M price, or null when the card has none
     */
    public BigDecimal rateAt(String model, String serviceTier, Meter meter, Instant at) {
        for (Rate r : rates) {
            if (r.model().equals(model) && r.serviceTier().equals(serviceTier) && r.meter() == meter && r.covers(at)) {
                return r.usdPer1m();
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RateCard other && rates.equals(other.rates);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rates);
    }
}
