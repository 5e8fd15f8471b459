package io.assetcost.tools;

import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Prints the JVM flags Spark needs on Java 17 and later when a JVM is started without Spark's launcher
 * (the {@code --add-opens} list of {@link JavaModuleOptions}), so scripts never keep their own copy.
 */
public final class PrintSparkJavaOptions {
    private PrintSparkJavaOptions() {}

    /**
     * Prints the flags on one line.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println(JavaModuleOptions.defaultModuleOptions());
    }
}
