package io.assetcost.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes the project's sample data deterministically (same seed, same bytes): two weeks of usage for
 * three workflows modelled on the seed pricing guides' budgets, acceptance records as a spreadsheet
 * exports them, and a handful of bad records so the quarantine has something to show.
 *
 * <ul>
 *   <li>{@code ecommerce-pdp}: product-page edits from a locked baseline (reference image, cached), about
 *       1.2 attempts per approved asset;</li>
 *   <li>{@code ugc-hooks}: vertical ad hooks from a cached brand brief, drafts on gpt-image-1-mini, about
 *       1.8 attempts;</li>
 *   <li>{@code saas-hero}: hero and UI images started from scratch, about 2.5 attempts; a UI set run
 *       through the Batch API and exported as a flat CSV.</li>
 * </ul>
 *
 * <p>It also writes the month's bill as two overlapping pages of the Costs API
 * ({@code costs/costs-2026-11-page-1.json}, {@code -page-2.json}): the valid requests priced with the
 * embedded rate card per UTC day, project, model and meter (line items such as {@code gpt-image-2 image,
 * output}, with their quantity in tokens, or thousands of tokens for gpt-image-1-mini), with differences a month
 * close must find (a day a fraction of a cent off, a day billed more, a day billed less, a day not billed, a
 * project billed with no usage, a chat-model line item no image model matches), and the organization Usage API's
 * image counts as two overlapping pages ({@code usage-api/usage-images-2026-11-page-{1,2}.json}). Both include
 * a logging gap: 14 requests of proj_shop on 2026-11-11 that reached OpenAI but were never logged.
 *
 * <p>Output image tokens per image follow the published token counts of the GPT Image models by size
 * and quality (e.g. 1024x1024 high = 4,160 tokens). Usage: {@code SampleDataGenerator OUT_DIR [SEED]}.
 */
public final class SampleDataGenerator {

    private static final LocalDate FIRST_DAY = LocalDate.of(2026, 11, 2);
    private static final int DAYS = 14;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SplittableRandom random;
    private final Map<LocalDate, List<String>> jsonLines = new TreeMap<>();
    private final List<List<Object>> batchRows = new ArrayList<>();
    private final List<List<Object>> decisions = new ArrayList<>();
    private int requestCounter;
    private final io.assetcost.pricing.RateCard card =
            io.assetcost.pricing.RateCard.load(new org.apache.hadoop.conf.Configuration(false), null);
    /** Billed amount per "day|project|line item", from the valid requests. */
    private final Map<String, java.math.BigDecimal> bill = new TreeMap<>();
    /** Billed tokens per "day|project|line item". */
    private final Map<String, Long> billTokens = new TreeMap<>();
    /** Usage API counts {requests, images} per "day|project|model|size|source". */
    private final Map<String, long[]> usageApi = new TreeMap<>();
    /** The requests of the logging gap: a separate stream, so the logged sample stays byte for byte the same. */
    private final SplittableRandom gapRandom;

    private SampleDataGenerator(long seed) {
        this.random = new SplittableRandom(seed);
        this.gapRandom = new SplittableRandom(seed ^ 0x5EEDL);
    }

    /**
     * Writes sample-data: {@code usage/usage-YYYY-MM-DD.jsonl}, {@code usage/batch-export-2026-11.csv},
     * {@code acceptance/acceptance.csv}.
     *
     * @param args output directory, optional seed (default 20261115)
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SampleDataGenerator OUT_DIR [SEED]");
            System.exit(2);
        }
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261115L;
        new SampleDataGenerator(seed).generate(Path.of(args[0]));
    }

    private record Workflow(
            String id,
            String project,
            double approveChance,
            double giveUpChance,
            String endpoint,
            String[] sizes,
            String quality,
            int maxN) {}

    private void generate(Path out) throws IOException {
        List<Workflow> workflows = List.of(
                new Workflow(
                        "ecommerce-pdp",
                        "proj_shop",
                        0.82,
                        0.04,
                        "images.edits",
                        new String[] {"1024x1536", "1024x1024"},
                        "high",
                        1),
                new Workflow(
                        "ugc-hooks",
                        "proj_growth",
                        0.85,
                        0.08,
                        "images.generations",
                        new String[] {"1024x1536"},
                        "medium",
                        2),
                new Workflow(
                        "saas-hero",
                        "proj_web",
                        0.40,
                        0.06,
                        "images.generations",
                        new String[] {"1536x1024", "1024x1024"},
                        "high",
                        1));
        int[] assetsPerDay = {9, 7, 4};
        for (int d = 0; d < DAYS; d++) {
            LocalDate day = FIRST_DAY.plusDays(d);
            for (int w = 0; w < workflows.size(); w++) {
                int count = assetsPerDay[w] + random.nextInt(3);
                for (int a = 0; a < count; a++) {
                    asset(workflows.get(w), day, d, a);
                }
            }
        }
        addBadRecords();
        writeUsage(out.resolve("usage"));
        writeAcceptance(out.resolve("acceptance"));
        addLoggingGap();
        writeCosts(out.resolve("costs"));
        writeUsageApi(out.resolve("usage-api"));
    }

    private void asset(Workflow w, LocalDate day, int dayIndex, int n) {
        String assetId = switch (w.id()) {
            case "ecommerce-pdp" ->
                String.format(Locale.ROOT, "sku-%04d-%s", 1000 + dayIndex * 20 + n, n % 2 == 0 ? "front" : "side");
            case "ugc-hooks" -> String.format(Locale.ROOT, "hook-%03d", dayIndex * 12 + n);
            default -> String.format(Locale.ROOT, "%s-%03d", n % 3 == 0 ? "ui" : "hero", dayIndex * 8 + n);
        };
        // A few one-off UGC requests carry no asset_id: each is its own asset.
        boolean ownAsset = w.id().equals("ugc-hooks") && random.nextInt(10) == 0;
        boolean batch = w.id().equals("saas-hero") && assetId.startsWith("ui");
        boolean reviewed = dayIndex < DAYS - 2 || random.nextInt(3) == 0;
        long t = day.atTime(8, 0).toEpochSecond(ZoneOffset.UTC) + random.nextInt(9 * 3600);
        for (int attempt = 0; attempt < 8; attempt++) {
            boolean failed = random.nextInt(100) < 6;
            int images = failed ? 0 : 1 + random.nextInt(w.maxN());
            String requestId = request(w, assetId, ownAsset, batch, t, attempt, failed, images);
            if (ownAsset) {
                assetId = requestId;
            }
            t += 300 + random.nextInt(5400);
            if (failed) {
                continue;
            }
            if (!reviewed) {
                if (random.nextInt(2) == 0) {
                    break;
                }
                continue;
            }
            boolean approve = random.nextDouble() < w.approveChance();
            boolean giveUp = !approve && (random.nextDouble() < w.giveUpChance() || attempt == 7);
            for (int i = 0; i < images; i++) {
                boolean thisOne = approve && i == 0;
                long decided = t + 600 + random.nextInt(20 * 3600);
                if (thisOne && random.nextInt(8) == 0) {
                    // First rejected, then turned around on re-review.
                    decision(
                            requestId,
                            i,
                            assetId,
                            w.id(),
                            "rejected",
                            decided,
                            "rev_" + random.nextInt(5),
                            "Logo slightly off, \"brand blue\" too dark");
                    decision(
                            requestId,
                            i,
                            assetId,
                            w.id(),
                            "approved",
                            decided + 3600 + random.nextInt(7200),
                            "rev_lead",
                            "Re-review: acceptable after colour check");
                } else if (thisOne && random.nextInt(10) == 0) {
                    // Two reviewers approve the same image: must not double-count.
                    decision(requestId, i, assetId, w.id(), "approved", decided, "rev_1", "Ship it");
                    decision(requestId, i, assetId, w.id(), "approved", decided + 900, "rev_2", "Ship it, agreed");
                } else {
                    decision(
                            requestId,
                            i,
                            assetId,
                            w.id(),
                            thisOne ? "approved" : "rejected",
                            decided,
                            "rev_" + random.nextInt(5),
                            thisOne ? "" : rejectionReason());
                }
            }
            if (approve || giveUp) {
                return;
            }
        }
    }

    private String request(
            Workflow w,
            String assetId,
            boolean ownAsset,
            boolean batch,
            long created,
            int attempt,
            boolean failed,
            int images) {
        requestCounter++;
        String requestId = String.format(Locale.ROOT, "req_%08x%06d", random.nextInt() & 0x7fffffff, requestCounter);
        String model = w.id().equals("ugc-hooks") && attempt == 0 && random.nextInt(3) == 0
                ? "gpt-image-1-mini"
                : w.id().equals("saas-hero") && random.nextInt(6) == 0
                        ? "gpt-image-1.5"
                        : random.nextInt(5) == 0 ? "gpt-image-2-2026-04-21" : "gpt-image-2";
        String size = w.sizes()[random.nextInt(w.sizes().length)];
        String quality = w.quality();
        long textTokens = 300 + random.nextInt(w.id().equals("saas-hero") ? 2400 : 1200);
        long cachedText =
                w.id().equals("ugc-hooks") && attempt > 0 ? Math.min(textTokens, 256L * (1 + random.nextInt(3))) : 0;
        long imageTokens = w.endpoint().equals("images.edits") ? 1500 + random.nextInt(3500) : 0;
        long cachedImage = imageTokens > 0 && attempt > 0 && random.nextInt(2) == 0 ? imageTokens / 2 : 0;
        long outputImage = (long) images * ScaleModel.outputTokensPerImage(size, quality);
        long outputText = model.startsWith("gpt-image-2") && random.nextInt(12) == 0 ? 20 + random.nextInt(80) : 0;
        String status = failed ? "failed" : "succeeded";
        String errorCode = failed ? (random.nextInt(2) == 0 ? "rate_limit_exceeded" : "server_error") : null;
        boolean usage = !failed || errorCode.equals("server_error");
        if (failed) {
            outputImage = 0;
            outputText = 0;
        }
        if (!usage) {
            // A call that returned no usage has no cached-token counts either.
            cachedText = 0;
            cachedImage = 0;
        }
        int n = Math.max(images, 1);
        countInUsageApi(created, w.project(), model, size, w.endpoint(), images);
        if (usage) {
            addToBill(created, w.project(), model, batch ? "batch" : "default", new long[] {
                textTokens - cachedText, cachedText, imageTokens - cachedImage, cachedImage, outputImage, outputText
            });
        }
        if (batch) {
            batchRows.add(java.util.Arrays.asList(
                    requestId,
                    iso(created),
                    w.project(),
                    w.id(),
                    ownAsset ? null : assetId,
                    model,
                    w.endpoint(),
                    "batch",
                    status,
                    errorCode,
                    n,
                    size,
                    quality,
                    usage ? textTokens : null,
                    usage ? cachedText : null,
                    usage ? imageTokens : null,
                    usage ? cachedImage : null,
                    usage ? outputImage : null,
                    usage ? outputText : null));
            return requestId;
        }
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("request_id", requestId);
        rec.put("created", created);
        rec.put("project_id", w.project());
        rec.put("workflow_id", w.id());
        if (!ownAsset) {
            rec.put("asset_id", assetId);
        }
        rec.put("model", model);
        rec.put("endpoint", w.endpoint());
        rec.put("service_tier", "default");
        rec.put("status", status);
        rec.put("error_code", errorCode);
        rec.put("n", n);
        rec.put("size", size);
        rec.put("quality", quality);
        rec.put("output_format", w.id().equals("ecommerce-pdp") ? "png" : "webp");
        if (usage) {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("input_tokens", textTokens + imageTokens);
            u.put("total_tokens", textTokens + imageTokens + outputImage + outputText);
            u.put("output_tokens", outputImage + outputText);
            Map<String, Object> in = new LinkedHashMap<>();
            in.put("text_tokens", textTokens);
            in.put("image_tokens", imageTokens);
            u.put("input_tokens_details", in);
            if (!model.equals("gpt-image-1-mini")) {
                Map<String, Object> od = new LinkedHashMap<>();
                od.put("image_tokens", outputImage);
                od.put("text_tokens", outputText);
                u.put("output_tokens_details", od);
            }
            rec.put("usage", u);
        }
        if (cachedText > 0) {
            rec.put("input_cached_text_tokens", cachedText);
        }
        if (cachedImage > 0) {
            rec.put("input_cached_image_tokens", cachedImage);
        }
        jsonLine(created, rec);
        return requestId;
    }

    /** Line item words of each meter, in {@code Meter} order, as real Costs API exports name them. */
    private static final String[] LINE_ITEM_METERS = {
        "text, input", "cached text, input", "image, input", "cached image, input", "image, output", "text, output"
    };

    private void addToBill(long created, String project, String model, String tier, long[] meterTokens) {
        String base = model.replaceAll("-\\d{4}-\\d{2}-\\d{2}$", "");
        Instant at = Instant.ofEpochSecond(created);
        io.assetcost.pricing.Meter[] meters = io.assetcost.pricing.Meter.values();
        String day = at.atOffset(ZoneOffset.UTC).toLocalDate().toString();
        for (int i = 0; i < meters.length; i++) {
            if (meterTokens[i] > 0) {
                java.math.BigDecimal cost = card.rateAt(base, tier, meters[i], at)
                        .multiply(java.math.BigDecimal.valueOf(meterTokens[i]))
                        .movePointLeft(6);
                String key = day + "|" + project + "|" + base + " " + LINE_ITEM_METERS[i];
                bill.merge(key, cost, java.math.BigDecimal::add);
                billTokens.merge(key, meterTokens[i], Long::sum);
            }
        }
    }

    private void countInUsageApi(long created, String project, String model, String size, String endpoint, int images) {
        String day = Instant.ofEpochSecond(created)
                .atOffset(ZoneOffset.UTC)
                .toLocalDate()
                .toString();
        String source = endpoint.equals("images.edits") ? "image.edit" : "image.generation";
        long[] counts = usageApi.computeIfAbsent(
                day + "|" + project + "|" + model + "|" + size + "|" + source, k -> new long[2]);
        counts[0]++;
        counts[1] += images;
    }

    /**
     * The gateway of proj_shop stopped logging on 2026-11-11 at 15:00 UTC: 14 more product-page edits reached
     * OpenAI (the Usage API counts them and the bill charges them) but no usage log line was written.
     */
    private void addLoggingGap() {
        long t = FIRST_DAY.plusDays(9).atTime(15, 0).toEpochSecond(ZoneOffset.UTC);
        for (int i = 0; i < 14; i++) {
            long created = t + i * 600L + gapRandom.nextInt(300);
            long text = 300 + gapRandom.nextInt(1200);
            long image = 1500 + gapRandom.nextInt(3500);
            long cachedImage = gapRandom.nextInt(2) == 0 ? image / 2 : 0;
            long output = ScaleModel.outputTokensPerImage("1024x1536", "high");
            countInUsageApi(created, "proj_shop", "gpt-image-2", "1024x1536", "images.edits", 1);
            addToBill(created, "proj_shop", "gpt-image-2", "default", new long[] {
                text, 0, image - cachedImage, cachedImage, output, 0
            });
        }
    }

    private void writeCosts(Path dir) throws IOException {
        Files.createDirectories(dir);
        java.math.BigDecimal cents = new java.math.BigDecimal("0.01");
        // The differences a month close must find.
        adjust("2026-11-04|proj_shop|gpt-image-2 image, output", new java.math.BigDecimal("0.004"), 0);
        adjust("2026-11-06|proj_web|gpt-image-2 image, output", new java.math.BigDecimal("0.35"), 11_667);
        adjust("2026-11-09|proj_growth|gpt-image-2 image, output", new java.math.BigDecimal("-0.20"), -6_667);
        bill.keySet().removeIf(k -> k.startsWith("2026-11-12|proj_web|"));
        billTokens.keySet().removeIf(k -> k.startsWith("2026-11-12|proj_web|"));
        for (String day : new String[] {"2026-11-03", "2026-11-10"}) {
            bill.put(day + "|proj_legacy|gpt-image-1 image, output", new java.math.BigDecimal("1.20"));
            billTokens.put(day + "|proj_legacy|gpt-image-1 image, output", 30_000L);
        }
        for (int d = 0; d < DAYS; d += 3) {
            bill.put(
                    FIRST_DAY.plusDays(d) + "|proj_growth|gpt-4.1-mini, input",
                    cents.multiply(java.math.BigDecimal.valueOf(42)));
        }
        writePage(dir.resolve("costs-2026-11-page-1.json"), FIRST_DAY, FIRST_DAY.plusDays(7), true);
        writePage(dir.resolve("costs-2026-11-page-2.json"), FIRST_DAY.plusDays(6), FIRST_DAY.plusDays(DAYS - 1), false);
    }

    private void adjust(String key, java.math.BigDecimal delta, long tokens) {
        bill.merge(key, delta, java.math.BigDecimal::add);
        billTokens.merge(key, tokens, Long::sum);
    }

    /** Project names as the Costs API gives them (proj_legacy has none: FOCUS falls back to its id). */
    private static final Map<String, String> PROJECT_NAMES =
            Map.of("proj_shop", "Shop", "proj_growth", "Growth marketing", "proj_web", "Website");

    /** One Costs API page with the buckets of [first, last], as GET /v1/organization/costs returns it. */
    private void writePage(Path file, LocalDate first, LocalDate last, boolean hasMore) throws IOException {
        List<Object> buckets = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            List<Object> results = new ArrayList<>();
            for (Map.Entry<String, java.math.BigDecimal> e : bill.entrySet()) {
                String[] key = e.getKey().split("\\|");
                if (key[0].equals(day.toString())) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("object", "organization.costs.result");
                    Map<String, Object> amount = new LinkedHashMap<>();
                    amount.put("value", e.getValue().stripTrailingZeros());
                    amount.put("currency", "usd");
                    result.put("amount", amount);
                    result.put("line_item", key[2]);
                    result.put("project_id", key[1]);
                    if (PROJECT_NAMES.containsKey(key[1])) {
                        result.put("project_name", PROJECT_NAMES.get(key[1]));
                    }
                    Long tokens = billTokens.get(e.getKey());
                    if (tokens != null && key[2].startsWith("gpt-image-1-mini")) {
                        // Some line items count in thousands of tokens.
                        result.put(
                                "quantity", java.math.BigDecimal.valueOf(tokens).movePointLeft(3));
                        result.put("quantity_unit", "1000_tokens");
                    } else if (tokens != null) {
                        result.put("quantity", tokens);
                        result.put("quantity_unit", "tokens");
                    }
                    results.add(result);
                }
            }
            Map<String, Object> bucket = new LinkedHashMap<>();
            long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            bucket.put("object", "bucket");
            bucket.put("start_time", start);
            bucket.put("end_time", start + 86_400);
            bucket.put("results", results);
            buckets.add(bucket);
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("object", "page");
        page.put("data", buckets);
        page.put("has_more", hasMore);
        page.put("next_page", hasMore ? "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=" : null);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), page);
    }

    private void writeUsageApi(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeUsagePage(dir.resolve("usage-images-2026-11-page-1.json"), FIRST_DAY, FIRST_DAY.plusDays(7), true);
        writeUsagePage(
                dir.resolve("usage-images-2026-11-page-2.json"),
                FIRST_DAY.plusDays(6),
                FIRST_DAY.plusDays(DAYS - 1),
                false);
    }

    /**
     * One page of GET /v1/organization/usage/images (bucket_width=1d, group_by=project_id,model,size,source) with
     * the buckets of [first, last].
     */
    private void writeUsagePage(Path file, LocalDate first, LocalDate last, boolean hasMore) throws IOException {
        List<Object> buckets = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            List<Object> results = new ArrayList<>();
            for (Map.Entry<String, long[]> e : usageApi.entrySet()) {
                String[] key = e.getKey().split("\\|");
                if (key[0].equals(day.toString())) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("object", "organization.usage.images.result");
                    result.put("images", e.getValue()[1]);
                    result.put("num_model_requests", e.getValue()[0]);
                    result.put("project_id", key[1]);
                    result.put("model", key[2]);
                    result.put("size", key[3]);
                    result.put("source", key[4]);
                    result.put("api_key_id", null);
                    result.put("user_id", null);
                    results.add(result);
                }
            }
            Map<String, Object> bucket = new LinkedHashMap<>();
            long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            bucket.put("object", "bucket");
            bucket.put("start_time", start);
            bucket.put("end_time", start + 86_400);
            bucket.put("results", results);
            buckets.add(bucket);
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("object", "page");
        page.put("data", buckets);
        page.put("has_more", hasMore);
        page.put("next_page", hasMore ? "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=" : null);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), page);
    }

    private String rejectionReason() {
        String[] reasons = {
            "Wrong product colour", "Text in image misspelled: \"Sumer Sale\"",
            "Hands look off, try again", "Background too busy, needs white, 5% margin",
            "Off-brand font\nsee brand guide p.4", "=HYPERLINK(\"http://example.invalid\") pasted by mistake",
            "Crop cuts the logo"
        };
        return reasons[random.nextInt(reasons.length)];
    }

    private void decision(
            String requestId,
            int index,
            String assetId,
            String workflowId,
            String verdict,
            long decidedAt,
            String reviewer,
            String reason) {
        decisions.add(java.util.Arrays.asList(
                requestId, index, assetId, workflowId, verdict, withOffset(decidedAt), reviewer, reason));
    }

    /** Review tools export local times with an offset or UTC with Z; both mean the same instant. */
    private String withOffset(long epochSecond) {
        int pick = random.nextInt(4);
        ZoneOffset offset = pick == 0 ? ZoneOffset.ofHours(1) : pick == 1 ? ZoneOffset.ofHours(-5) : ZoneOffset.UTC;
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                Instant.ofEpochSecond(epochSecond).atOffset(offset));
    }

    private static String iso(long epochSecond) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond));
    }

    private void jsonLine(long created, Object record) {
        try {
            jsonLine(created, JSON.writeValueAsString(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void jsonLine(long created, String line) {
        LocalDate day = Instant.ofEpochSecond(created).atOffset(ZoneOffset.UTC).toLocalDate();
        jsonLines.computeIfAbsent(day, k -> new ArrayList<>()).add(line);
    }

    private void addBadRecords() {
        long t = FIRST_DAY.plusDays(5).atTime(12, 0).toEpochSecond(ZoneOffset.UTC);
        // A line cut off mid-write.
        jsonLine(
                t,
                "{\"request_id\":\"req_truncated01\",\"created\":" + t
                        + ",\"workflow_id\":\"ugc-hooks\",\"model\":\"gpt-ima");
        // No workflow_id.
        jsonLine(
                t + 1,
                "{\"request_id\":\"req_noworkflow01\",\"created\":" + (t + 1)
                        + ",\"model\":\"gpt-image-2\",\"status\":\"succeeded\",\"n\":1,"
                        + "\"usage\":{\"input_tokens\":500,\"total_tokens\":2500,\"output_tokens\":2000,\"input_tokens"
                        + "_details\":{\"text_tokens\":500,\"image_tokens\":0}}}");
        // Negative output tokens from a buggy gateway.
        jsonLine(
                t + 2,
                "{\"request_id\":\"req_negative01\",\"created\":" + (t + 2)
                        + ",\"workflow_id\":\"saas-hero\",\"asset_id\":\"hero-900\",\"model\":\"gpt-image-2\",\"statu"
                        + "s\":\"succeeded\",\"n\":1,"
                        + "\"usage\":{\"input_tokens\":800,\"total_tokens\":-3360,\"output_tokens\":-4160,\"input_toke"
                        + "ns_details\":{\"text_tokens\":800,\"image_tokens\":0},\"output_tokens_details\":{\"image_to"
                        + "kens\":-4160,\"text_tokens\":0}}}");
        // More cached text than text.
        jsonLine(
                t + 3,
                "{\"request_id\":\"req_cachedover01\",\"created\":" + (t + 3)
                        + ",\"workflow_id\":\"ugc-hooks\",\"asset_id\":\"hook-900\",\"model\":\"gpt-image-2\",\"statu"
                        + "s\":\"succeeded\",\"n\":1,"
                        + "\"usage\":{\"input_tokens\":400,\"total_tokens\":1984,\"output_tokens\":1584,\"input_tokens"
                        + "_details\":{\"text_tokens\":400,\"image_tokens\":0},\"output_tokens_details\":{\"image_toke"
                        + "ns\":1584,\"text_tokens\":0}},"
                        + "\"input_cached_text_tokens\":900}");
        // A model the rate card does not know.
        jsonLine(
                t + 4,
                "{\"request_id\":\"req_unknownmodel01\",\"created\":" + (t + 4)
                        + ",\"workflow_id\":\"saas-hero\",\"asset_id\":\"hero-901\",\"model\":\"gpt-image-3-preview\""
                        + ",\"status\":\"succeeded\",\"n\":1,"
                        + "\"usage\":{\"input_tokens\":1200,\"total_tokens\":7408,\"output_tokens\":6208,\"input_token"
                        + "s_details\":{\"text_tokens\":1200,\"image_tokens\":0},\"output_tokens_details\":{\"image_to"
                        + "kens\":6208,\"text_tokens\":0}}}");
        // The same request logged twice with different counts: neither can be trusted.
        for (long out : new long[] {4160, 6240}) {
            jsonLine(
                    t + 5,
                    "{\"request_id\":\"req_conflict01\",\"created\":" + (t + 5)
                            + ",\"workflow_id\":\"ecommerce-pdp\",\"asset_id\":\"sku-9001-front\",\"model\":\"gpt-imag"
                            + "e-2\",\"status\":\"succeeded\",\"n\":1,"
                            + "\"usage\":{\"input_tokens\":3000,\"total_tokens\":" + (3000 + out)
                            + ",\"output_tokens\":" + out
                            + ",\"input_tokens_details\":{\"text_tokens\":1000,\"image_tokens\":2000},\"output_tokens_"
                            + "details\":{\"image_tokens\":"
                            + out + ",\"text_tokens\":0}}}");
        }
        // A log line shipped twice, identical: counted once, reported as a dropped duplicate.
        List<String> day3 = jsonLines.get(FIRST_DAY.plusDays(3));
        day3.add(day3.get(2));
        // Acceptance rows that cannot be trusted.
        long d = t + 7200;
        decision("req_doesnotexist", 0, "sku-0000-front", "ecommerce-pdp", "approved", d, "rev_1", "");
        List<Object> first = decisions.get(0);
        decisions.add(java.util.Arrays.asList(
                first.get(0), 7, first.get(2), first.get(3), "approved", withOffset(d), "rev_2", "index past n"));
        decisions.add(java.util.Arrays.asList(
                first.get(0),
                0,
                first.get(2),
                first.get(3),
                "maybe",
                withOffset(d),
                "rev_3",
                "Not sure; ask the client"));
        decisions.add(java.util.Arrays.asList(
                first.get(0), 0, first.get(2), first.get(3), "approved", "yesterday afternoon", "rev_3", ""));
        decisions.add(decisions.get(10));
        decision("req_unknownmodel01", 0, "hero-901", "saas-hero", "approved", d, "rev_1", "Looks great");
    }

    private void writeUsage(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<LocalDate, List<String>> e : jsonLines.entrySet()) {
            Files.write(
                    dir.resolve("usage-" + e.getKey() + ".jsonl"),
                    (String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        try (Writer w = Files.newBufferedWriter(dir.resolve("batch-export-2026-11.csv"), StandardCharsets.UTF_8);
                CSVPrinter p = new CSVPrinter(
                        w,
                        CSVFormat.RFC4180
                                .builder()
                                .setHeader(
                                        "request_id",
                                        "created_at",
                                        "project_id",
                                        "workflow_id",
                                        "asset_id",
                                        "model",
                                        "endpoint",
                                        "service_tier",
                                        "status",
                                        "error_code",
                                        "n",
                                        "size",
                                        "quality",
                                        "input_text_tokens",
                                        "input_cached_text_tokens",
                                        "input_image_tokens",
                                        "input_cached_image_tokens",
                                        "output_image_tokens",
                                        "output_text_tokens")
                                .get())) {
            for (List<Object> row : batchRows) {
                p.printRecord(row);
            }
        }
    }

    private void writeAcceptance(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (OutputStream os = Files.newOutputStream(dir.resolve("acceptance.csv"))) {
            os.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            try (Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
                    CSVPrinter p = new CSVPrinter(
                            w,
                            CSVFormat.RFC4180
                                    .builder()
                                    .setHeader(
                                            "request_id",
                                            "image_index",
                                            "asset_id",
                                            "workflow_id",
                                            "decision",
                                            "decided_at",
                                            "reviewer_id",
                                            "reason")
                                    .get())) {
                for (List<Object> row : decisions) {
                    p.printRecord(row);
                }
            }
        }
    }
}
