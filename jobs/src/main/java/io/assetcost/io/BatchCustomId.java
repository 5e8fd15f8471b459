package io.assetcost.io;

import io.assetcost.run.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a Batch request's {@code custom_id} names its workflow and asset ({@code --batch-custom-id};
 * docs/usage-formats/batch.md, "Workflow and asset"). The option is one of two forms:
 *
 * <ul>
 *   <li>a <b>template</b>: placeholders in braces with literal text between them, such as
 *       {@code {workflow_id}/{asset_id}/{attempt}}. A placeholder matches one or more characters, as few
 *       as let the rest of the template match (the last one takes the rest of the custom_id); the whole
 *       custom_id must match. {@code workflow_id} is required, {@code asset_id} optional (absent = each
 *       request is its own asset), any other placeholder is matched and ignored. Two placeholders must be
 *       separated by literal text, since nothing would say where one ends.
 *   <li>a Java <b>regular expression</b>, told apart by a named group ({@code (?<...>}): it must match the
 *       whole custom_id and have a group {@code workflowId}, and may have {@code assetId}. Java's group
 *       names take no underscore, so {@code (?<workflow_id>} and {@code (?<asset_id>} are read as those.
 * </ul>
 *
 * <p>The reader applies it with Spark's {@code rlike} and {@code regexp_extract}, which take a group by its
 * number: {@link #workflowGroup()} and {@link #assetGroup()} are the numbers of the named groups.
 *
 * @param option the option's value as given (shown in quarantine details)
 * @param regex the regular expression matching a whole custom_id, anchored at both ends
 * @param workflowGroup the number of the group holding workflow_id
 * @param assetGroup the number of the group holding asset_id, 0 when there is none
 */
public record BatchCustomId(String option, String regex, int workflowGroup, int assetGroup) {

    /** The option's name, for messages. */
    public static final String OPTION = "--batch-custom-id";
    /** The default: {@code workflow_id}, {@code asset_id} and an attempt number, separated by slashes. */
    public static final String DEFAULT = "{workflow_id}/{asset_id}/{attempt}";

    private static final String WORKFLOW = "workflow_id";
    private static final String ASSET = "asset_id";
    private static final String WORKFLOW_GROUP = "workflowId";
    private static final String ASSET_GROUP = "assetId";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");

    /**
     * Reads the option.
     *
     * @param option a template or a regular expression (null = {@link #DEFAULT})
     * @return the pattern
     * @throws InputException naming {@value #OPTION} and what to fix: a blank value, a regular expression that
     *     does not compile or lacks a {@code workflowId} group, a template without {@code {workflow_id}},
     *     with a placeholder twice, two placeholders side by side, or a brace that is no placeholder
     */
    public static BatchCustomId of(String option) {
        String value = option == null ? DEFAULT : option;
        if (value.isBlank()) {
            throw new InputException(OPTION + " is blank; give a template such as '" + DEFAULT
                    + "' or a regular expression with a named group (?<workflowId>...)");
        }
        return value.contains("(?<") ? fromRegex(value) : fromTemplate(value);
    }

    private static BatchCustomId fromTemplate(String template) {
        StringBuilder regex = new StringBuilder("(?s)^");
        Matcher m = PLACEHOLDER.matcher(template);
        List<String> names = new ArrayList<>();
        int at = 0;
        int workflow = 0;
        int asset = 0;
        while (m.find()) {
            String literal = template.substring(at, m.start());
            if (at > 0 && literal.isEmpty()) {
                throw bad(
                        template,
                        "placeholders {" + names.get(names.size() - 1) + "} and {" + m.group(1)
                                + "} touch: put literal text between them");
            }
            checkLiteral(template, literal);
            regex.append(literal.isEmpty() ? "" : Pattern.quote(literal)).append("(.+?)");
            if (names.contains(m.group(1))) {
                throw bad(template, "placeholder {" + m.group(1) + "} appears twice");
            }
            names.add(m.group(1));
            workflow = m.group(1).equals(WORKFLOW) ? names.size() : workflow;
            asset = m.group(1).equals(ASSET) ? names.size() : asset;
            at = m.end();
        }
        String tail = template.substring(at);
        checkLiteral(template, tail);
        regex.append(tail.isEmpty() ? "" : Pattern.quote(tail)).append("\\z");
        if (workflow == 0) {
            throw bad(template, "it has no {" + WORKFLOW + "} placeholder");
        }
        return new BatchCustomId(template, regex.toString(), workflow, asset);
    }

    private static void checkLiteral(String template, String literal) {
        if (literal.contains("{") || literal.contains("}")) {
            throw bad(template, "'" + literal + "' has a brace that is no placeholder {name}");
        }
    }

    private static BatchCustomId fromRegex(String given) {
        String regex = given.replace("(?<" + WORKFLOW + ">", "(?<" + WORKFLOW_GROUP + ">")
                .replace("(?<" + ASSET + ">", "(?<" + ASSET_GROUP + ">");
        Pattern compiled;
        try {
            compiled = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw bad(
                    given,
                    "it is not a Java regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
        List<String> groups = capturingGroups(regex);
        if (groups.size() != compiled.matcher("").groupCount()) {
            throw bad(given, "its groups cannot be counted (a comment or quoting that holds a parenthesis?)");
        }
        int workflow = groups.indexOf(WORKFLOW_GROUP) + 1;
        if (workflow == 0) {
            throw bad(given, "it has no named group (?<" + WORKFLOW_GROUP + ">...)");
        }
        return new BatchCustomId(given, "^(?:" + regex + ")\\z", workflow, groups.indexOf(ASSET_GROUP) + 1);
    }

    /**
     * The capturing groups of a regular expression in the order Java numbers them: a name for a named group,
     * an empty string for a numbered one. Escapes, {@code \Q...\E} and character classes hold no group.
     */
    static List<String> capturingGroups(String regex) {
        List<String> groups = new ArrayList<>();
        int classDepth = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                if (i + 1 < regex.length() && regex.charAt(i + 1) == 'Q') {
                    int end = regex.indexOf("\\E", i + 2);
                    i = end < 0 ? regex.length() : end + 1;
                } else {
                    i++;
                }
            } else if (c == '[') {
                classDepth++;
            } else if (c == ']' && classDepth > 0) {
                classDepth--;
            } else if (c == '(' && classDepth == 0) {
                String rest = regex.substring(i + 1);
                if (!rest.startsWith("?")) {
                    groups.add("");
                } else if (rest.startsWith("?<") && rest.length() > 2 && Character.isLetter(rest.charAt(2))) {
                    groups.add(rest.substring(2, rest.indexOf('>') < 0 ? 2 : rest.indexOf('>')));
                }
            }
        }
        return groups;
    }

    private static InputException bad(String value, String why) {
        return new InputException(OPTION + " '" + value + "' cannot be used: " + why);
    }
}
