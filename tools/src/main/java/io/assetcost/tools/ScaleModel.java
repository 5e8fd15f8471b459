package io.assetcost.tools;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The generating model behind {@link UsageGenerator}: usage and review records of one <em>chunk</em> (one
 * Spark task), produced by a random stream seeded from (seed, chunk) alone, so any chunk can be made
 * again anywhere, in any order, with the same records.
 *
 * <p>A chunk belongs to one UTC day ({@code chunk mod days}) and emits exactly its share of the requested
 * number of usage records: assets are generated one after another (attempts until one is approved, the
 * team gives up, or eight attempts) until the share is used up. Distributions follow the sample data
 * ({@link SampleDataGenerator}) and the seed pricing guides: three workflow archetypes (product-page edits
 * from a cached reference image, about 1.2 attempts; vertical ad hooks from a cached text brief with
 * gpt-image-1-mini drafts, about 1.8; hero images from scratch, partly through the Batch API, about 2.5);
 * the first workflow carries about 38% of the assets (about a third of the traffic); 6% of calls fail
 * (half of them with usage); output tokens follow the published per-image counts by size and quality.
 * Every image of a reviewed request gets a decision; re-reviews, second opinions and the odd same-instant
 * disagreement bring decisions to about 1.33 per reviewed image, 1.2 per generated image. Assets of the
 * last two days are mostly unreviewed (pending).
 *
 * <p>About 0.2% of usage records and 0.2% of decisions are bad on purpose, one kind each: no workflow_id,
 * negative output tokens, more cached text than text, a model the rate card does not know, a log line
 * shipped twice (exact duplicate), the same request logged twice with different counts, a line cut off
 * mid-write; decisions on unknown requests, neither approved nor rejected, outside the request's images,
 * with an unreadable time, or exported twice.
 */
public final class ScaleModel implements Serializable {

    private static final long serialVersionUID = 1L;

    /** First UTC day of generated usage. */
    public static final LocalDate FIRST_DAY = LocalDate.of(2026, 11, 2);
    /** Share of usage records (and of decisions) that are bad on purpose. */
    public static final double BAD_SHARE = 0.002;

    private final long seed;
    private final long requests;
    private final int days;
    private final int workflows;
    private final long chunks;

    /**
     * A model.
     *
     * @param seed random seed: same seed, same records
     * @param requests usage records to emit in all (bad ones and duplicate lines included)
     * @param days UTC days, from {@link #FIRST_DAY}
     * @param workflows number of workflows (archetypes repeat past three)
     * @param chunks number of chunks; a multiple of days
     */
    public ScaleModel(long seed, long requests, int days, int workflows, long chunks) {
        this.seed = seed;
        this.requests = requests;
        this.days = days;
        this.workflows = workflows;
        this.chunks = chunks;
    }

    /**
     * Chunks for a size: about {@code perChunk} records each, rounded up to a multiple of the days so that
     * every day gets the same number of chunks.
     */
    public static long chunksFor(long requests, int days, long perChunk) {
        long c = Math.max(1, (requests + perChunk - 1) / perChunk);
        return (c + days - 1) / days * days;
    }

    /** One usage record, the flat export's fields plus how the nested log shows it. */
    public record Usage(
            String requestId,
            long created,
            String projectId,
            String workflowId,
            String assetId,
            String model,
            String endpoint,
            String serviceTier,
            String status,
            String errorCode,
            int n,
            String size,
            String quality,
            boolean hasUsage,
            boolean hasOutputDetails,
            long textTokens,
            long cachedTextTokens,
            long imageTokens,
            long cachedImageTokens,
            long outputImageTokens,
            long outputTextTokens,
            boolean malformed) {}

    /** One acceptance record as a review tool exports it (every field text). */
    public record Decision(
            String requestId,
            String imageIndex,
            String assetId,
            String workflowId,
            String decision,
            String decidedAt,
            String reviewerId,
            String reason,
            long decidedEpochSecond) {}

    /** Receives a chunk's records. */
    public interface Sink {
        /** A usage record. */
        void usage(Usage u);

        /** An acceptance record. */
        void decision(Decision d);
    }

    private record Archetype(
            String name,
            String project,
            double approveChance,
            double giveUpChance,
            String endpoint,
            String[] sizes,
            String quality,
            int maxN) {}

    private static final Archetype[] ARCHETYPES = {
        new Archetype(
                "ecommerce-pdp",
                "proj_shop",
                0.82,
                0.04,
                "images.edits",
                new String[] {"1024x1536", "1024x1024"},
                "high",
                1),
        new Archetype(
                "ugc-hooks", "proj_growth", 0.85, 0.08, "images.generations", new String[] {"1024x1536"}, "medium", 2),
        new Archetype(
                "saas-hero",
                "proj_web",
                0.40,
                0.06,
                "images.generations",
                new String[] {"1536x1024", "1024x1024"},
                "high",
                1)
    };

    private static final String[] REJECTIONS = {
        "Wrong product colour", "Text in image misspelled: \"Sumer Sale\"", "Hands look off, try again",
        "Background too busy, needs white, 5% margin", "Off-brand font", "Crop cuts the logo"
    };

    /** The records of chunk {@code c}, in generation order. */
    public void generate(long c, Sink sink) {
        new Chunk(c, sink).run();
    }

    /** Usage records chunk {@code c} emits. */
    public long budget(long c) {
        return requests / chunks + (c < requests % chunks ? 1 : 0);
    }

    private final class Chunk {
        private final long chunk;
        private final Sink sink;
        private final SplittableRandom random;
        private final int dayIndex;
        private final long dayStart;
        private long left;
        private long counter;

        Chunk(long chunk, Sink sink) {
            this.chunk = chunk;
            this.sink = sink;
            this.random = new SplittableRandom(mix(seed ^ mix(chunk + 1)));
            this.dayIndex = (int) (chunk % days);
            this.dayStart =
                    FIRST_DAY.plusDays(dayIndex).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            this.left = budget(chunk);
        }

        void run() {
            while (left > 0) {
                asset();
            }
        }

        private int pickWorkflow() {
            if (workflows == 1) {
                return 0;
            }
            return random.nextInt(100) < 38 ? 0 : 1 + random.nextInt(workflows - 1);
        }

        private void asset() {
            int w = pickWorkflow();
            Archetype a = ARCHETYPES[w % ARCHETYPES.length];
            String workflowId = workflows <= ARCHETYPES.length || w < ARCHETYPES.length
                    ? a.name()
                    : a.name() + "-" + (w / ARCHETYPES.length + 1);
            long assetNo = counter;
            String assetId = switch (a.name()) {
                case "ecommerce-pdp" ->
                    String.format(Locale.ROOT, "sku-%d-%d-%s", chunk, assetNo, assetNo % 2 == 0 ? "front" : "side");
                case "ugc-hooks" -> String.format(Locale.ROOT, "hook-%d-%d", chunk, assetNo);
                default -> String.format(Locale.ROOT, "%s-%d-%d", assetNo % 3 == 0 ? "ui" : "hero", chunk, assetNo);
            };
            boolean ownAsset = a.name().equals("ugc-hooks") && random.nextInt(10) == 0;
            boolean batch = a.name().equals("saas-hero") && assetId.startsWith("ui");
            boolean reviewed = dayIndex < days - 2 || random.nextInt(3) == 0;
            // Start within the first 15 hours: eight attempts at most an hour apart stay within the day.
            long t = dayStart + random.nextInt(15 * 3600);
            for (int attempt = 0; attempt < 8 && left > 0; attempt++) {
                boolean failed = random.nextInt(100) < 6;
                int images = failed ? 0 : 1 + random.nextInt(a.maxN());
                Usage u = request(a, workflowId, assetId, ownAsset, batch, t, attempt, failed, images);
                if (ownAsset) {
                    assetId = u.requestId();
                }
                t += 300 + random.nextInt(3300);
                if (failed) {
                    continue;
                }
                if (!reviewed) {
                    if (random.nextInt(2) == 0) {
                        return;
                    }
                    continue;
                }
                boolean approve = random.nextDouble() < a.approveChance();
                boolean giveUp = !approve && (random.nextDouble() < a.giveUpChance() || attempt == 7);
                for (int i = 0; i < images; i++) {
                    review(u, i, approve && i == 0, t);
                }
                if (approve || giveUp) {
                    return;
                }
            }
        }

        private void review(Usage u, int index, boolean approve, long after) {
            long decided = after + 600 + random.nextInt(20 * 3600);
            String reviewer = "rev_" + random.nextInt(50);
            int r = random.nextInt(1000);
            if (approve && r < 150) {
                // Rejected first, turned around on re-review.
                decision(u, index, "rejected", decided, reviewer, REJECTIONS[random.nextInt(REJECTIONS.length)]);
                decision(u, index, "approved", decided + 3600 + random.nextInt(7200), "rev_lead", "Re-review: fine");
            } else if (approve && r < 330) {
                // A second reviewer agrees: must not count twice.
                decision(u, index, "approved", decided, reviewer, "Ship it");
                decision(u, index, "approved", decided + 900, "rev_" + random.nextInt(50), "Ship it, agreed");
            } else if (approve && r < 335) {
                // Two verdicts at the same instant: rejected wins, the image is not approved.
                decision(u, index, "approved", decided, reviewer, "");
                decision(u, index, "rejected", decided, "rev_" + random.nextInt(50), "Logo cut");
            } else if (approve) {
                decision(u, index, "approved", decided, reviewer, "");
            } else if (r < 330) {
                decision(u, index, "rejected", decided, reviewer, REJECTIONS[random.nextInt(REJECTIONS.length)]);
                decision(u, index, "rejected", decided + 1800, "rev_lead", "Agreed, redo");
            } else {
                decision(u, index, "rejected", decided, reviewer, REJECTIONS[random.nextInt(REJECTIONS.length)]);
            }
        }

        private void decision(Usage u, int index, String verdict, long decided, String reviewer, String reason) {
            String requestId = u.requestId();
            String assetId = u.assetId();
            String workflowId = u.workflowId();
            String indexText = Integer.toString(index);
            String verdictText = verdict;
            String decidedText = withOffset(decided);
            int copies = 1;
            if (random.nextDouble() < BAD_SHARE) {
                switch (random.nextInt(5)) {
                    case 0 -> requestId = "req_doesnotexist_" + chunk + "_" + counter;
                    case 1 -> verdictText = "maybe";
                    case 2 -> indexText = Integer.toString(u.n() + 3);
                    case 3 -> decidedText = "yesterday afternoon";
                    default -> copies = 2;
                }
            }
            Decision d = new Decision(
                    requestId, indexText, assetId, workflowId, verdictText, decidedText, reviewer, reason, decided);
            for (int i = 0; i < copies; i++) {
                sink.decision(d);
            }
        }

        private Usage request(
                Archetype a,
                String workflowId,
                String assetId,
                boolean ownAsset,
                boolean batch,
                long created,
                int attempt,
                boolean failed,
                int images) {
            counter++;
            String requestId = String.format(Locale.ROOT, "req_%06x%08x", chunk, counter);
            String model = a.name().equals("ugc-hooks") && attempt == 0 && random.nextInt(3) == 0
                    ? "gpt-image-1-mini"
                    : a.name().equals("saas-hero") && random.nextInt(6) == 0
                            ? "gpt-image-1.5"
                            : random.nextInt(5) == 0 ? "gpt-image-2-2026-04-21" : "gpt-image-2";
            String size = a.sizes()[random.nextInt(a.sizes().length)];
            long textTokens = 300 + random.nextInt(a.name().equals("saas-hero") ? 2400 : 1200);
            long cachedText = a.name().equals("ugc-hooks") && attempt > 0
                    ? Math.min(textTokens, 256L * (1 + random.nextInt(3)))
                    : 0;
            long imageTokens = a.endpoint().equals("images.edits") ? 1500 + random.nextInt(3500) : 0;
            long cachedImage = imageTokens > 0 && attempt > 0 && random.nextInt(2) == 0 ? imageTokens / 2 : 0;
            long outputImage = (long) images * outputTokensPerImage(size, a.quality());
            long outputText = model.startsWith("gpt-image-2") && random.nextInt(12) == 0 ? 20 + random.nextInt(80) : 0;
            String status = failed ? "failed" : "succeeded";
            String errorCode = failed ? (random.nextInt(2) == 0 ? "rate_limit_exceeded" : "server_error") : null;
            boolean usage = !failed || errorCode.equals("server_error");
            if (failed) {
                outputImage = 0;
                outputText = 0;
            }
            if (!usage) {
                textTokens = 0;
                imageTokens = 0;
                cachedText = 0;
                cachedImage = 0;
            }
            String workflow = workflowId;
            boolean malformed = false;
            int copies = 1;
            long conflictOutput = -1;
            if (left >= 2 && random.nextDouble() < BAD_SHARE) {
                switch (random.nextInt(7)) {
                    case 0 -> workflow = null;
                    case 1 -> outputImage = -Math.max(outputImage, 1);
                    case 2 -> cachedText = textTokens + 500;
                    case 3 -> model = "gpt-image-3-preview";
                    case 4 -> copies = 2;
                    case 5 -> conflictOutput = outputImage + 1056;
                    default -> malformed = true;
                }
            }
            Usage u = new Usage(
                    requestId,
                    created,
                    a.project(),
                    workflow,
                    ownAsset ? null : assetId,
                    model,
                    a.endpoint(),
                    batch ? "batch" : "default",
                    status,
                    errorCode,
                    Math.max(images, 1),
                    size,
                    a.quality(),
                    usage,
                    usage && !model.equals("gpt-image-1-mini"),
                    textTokens,
                    cachedText,
                    imageTokens,
                    cachedImage,
                    outputImage,
                    outputText,
                    malformed);
            emit(u);
            if (copies == 2) {
                emit(u);
            }
            if (conflictOutput >= 0) {
                emit(new Usage(
                        requestId,
                        created,
                        a.project(),
                        workflow,
                        u.assetId(),
                        model,
                        a.endpoint(),
                        u.serviceTier(),
                        status,
                        errorCode,
                        u.n(),
                        size,
                        a.quality(),
                        true,
                        u.hasOutputDetails(),
                        textTokens,
                        cachedText,
                        imageTokens,
                        cachedImage,
                        conflictOutput,
                        outputText,
                        false));
            }
            return u;
        }

        private void emit(Usage u) {
            left--;
            sink.usage(u);
        }

        /** Review tools export local times with an offset or UTC with Z; both mean the same instant. */
        private String withOffset(long epochSecond) {
            int pick = random.nextInt(4);
            ZoneOffset offset = pick == 0 ? ZoneOffset.ofHours(1) : pick == 1 ? ZoneOffset.ofHours(-5) : ZoneOffset.UTC;
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    Instant.ofEpochSecond(epochSecond).atOffset(offset));
        }
    }

    /**
     * Output image tokens per image by size and quality: the published token counts of the GPT Image models
     * (e.g. 1024x1024 high = 4,160 tokens), as the seed pricing guides quote them.
     */
    static long outputTokensPerImage(String size, String quality) {
        int col = switch (size) {
            case "1024x1024" -> 0;
            case "1024x1536" -> 1;
            default -> 2;
        };
        long[][] table = {{272, 408, 400}, {1056, 1584, 1568}, {4160, 6240, 6208}};
        int row = switch (quality) {
            case "low" -> 0;
            case "medium" -> 1;
            default -> 2;
        };
        return table[row][col];
    }

    /** SplitMix64's finaliser: spreads consecutive chunk numbers over independent random streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** All records of a chunk in memory (for tests and small chunks). */
    public List<Object> collect(long c) {
        List<Object> out = new ArrayList<>();
        generate(c, new Sink() {
            @Override
            public void usage(Usage u) {
                out.add(u);
            }

            @Override
            public void decision(Decision d) {
                out.add(d);
            }
        });
        return out;
    }
}
