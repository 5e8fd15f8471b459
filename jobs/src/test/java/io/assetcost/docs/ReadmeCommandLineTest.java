package io.assetcost.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.cost.CostJobOptions;
import io.assetcost.finance.ReconcileOptions;
import io.assetcost.forecast.ForecastOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README's command line is the jobs' own: the cost job's synopsis is picocli's, every option of each job is
 * documented, and every exit code has one entry in {@code --help} (picocli keeps one entry per code).
 */
class ReadmeCommandLineTest {

    private static final String SYNOPSIS = "cost-job-synopsis";

    @Test
    void theSynopsisIsPicocllisAndShowsEveryOption() throws Exception {
        CommandLine cli = new CommandLine(new CostJobOptions());
        cli.setUsageHelpWidth(110);
        String synopsis = "```\n" + cli.getHelp().synopsis(0).stripTrailing() + "\n```\n";
        String readme = ReadmeBlocks.readAndMaybeUpdate(SYNOPSIS, synopsis);
        assertThat(ReadmeBlocks.block(readme, SYNOPSIS))
                .as(
                        "README's block %s; regenerate it: mvn test -pl jobs -Dtest=ReadmeCommandLineTest -D%s=true",
                        SYNOPSIS, ReadmeBlocks.UPDATE)
                .isEqualTo(synopsis);
        for (OptionSpec o : cli.getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) { // those two are the synopsis' [-hV]
                assertThat(synopsis)
                        .as("the synopsis shows %s", o.longestName())
                        .contains(o.longestName());
            }
        }
    }

    @Test
    void everyOptionOfEveryJobIsDocumented() throws Exception {
        String readme = Files.readString(ReadmeBlocks.readme(), StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (Object job : List.of(new CostJobOptions(), new ReconcileOptions(), new ForecastOptions())) {
            for (OptionSpec o : new CommandLine(job).getCommandSpec().options()) {
                if (!readme.contains("`" + o.longestName())) {
                    missing.add(job.getClass().getSimpleName() + " " + o.longestName());
                }
            }
        }
        assertThat(missing).as("options the README does not name in backquotes").isEmpty();
    }

    @Test
    void eachExitCodeHasOneEntryInTheHelp() {
        for (Object job : List.of(new CostJobOptions(), new ReconcileOptions(), new ForecastOptions())) {
            CommandLine.Command command = job.getClass().getAnnotation(CommandLine.Command.class);
            List<String> codes = List.of(command.exitCodeList()).stream()
                    .map(e -> e.substring(0, e.indexOf(':')))
                    .toList();
            assertThat(codes)
                    .as(job.getClass().getSimpleName())
                    .doesNotHaveDuplicates()
                    .contains("0", "1", "2", "4");
            assertThat(new CommandLine(job).getUsageMessage())
                    .as("every exit code is printed")
                    .contains(codes.stream().map(c -> "  " + c + "   ").toList());
        }
    }
}
