package io.waterhealer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Two habits of the code that a compiler does not keep, checked on every build in a second and named by file and line:
 * imports in the order the code uses ({@code java.*}/{@code javax.*}, blank, the rest incl. {@code io.waterhealer} and
 * {@code org.apache} alphabetical, blank, {@code org.springframework.*}, blank, static imports), and no fully-qualified
 * class name written inline in code (import it instead). A plain scan rather than Checkstyle: it needs no plugin, no
 * configuration file and no network, and its message is the list of places to fix.
 */
class SourceStyleTests {

	private static final Path MAIN_SOURCES = Path.of("src/main/java");

	/** A qualified type name: a known top-level package, lower-case segments, then a capitalised simple name. */
	private static final Pattern QUALIFIED_NAME = Pattern
		.compile("(?<![\\w.])(?:java|javax|jakarta|jdk|sun|org|com|io|net)\\.(?:[a-z_][\\w]*\\.)+[A-Z]\\w*");

	private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;\\s*$");

	private static final String[] GROUP_NAMES = { "java.*/javax.*", "other", "org.springframework.*", "static" };

	@Test
	void importsAreGroupedAndOrdered() {
		List<String> violations = new ArrayList<>();
		for (Path file : mainSources()) {
			violations.addAll(importOrderViolations(file, readLines(file)));
		}
		assertNone("imports out of order", violations);
	}

	@Test
	void noFullyQualifiedClassNamesInCode() {
		List<String> violations = new ArrayList<>();
		for (Path file : mainSources()) {
			violations.addAll(qualifiedNameViolations(file, readLines(file)));
		}
		assertNone("fully-qualified class names written inline (import them)", violations);
	}

	@Test
	void scanFindsQualifiedNamesInCodeOnly() {
		List<String> lines = List.of("package a;", "", "import java.util.List;", "",
				"/** See {@link java.util.ArrayList}. */", "class A {",
				"	java.util.List<String> names = new java.util.ArrayList<>(); // java.util.Map",
				"	String text = \"org.apache.kafka.common.TopicPartition\";",
				"	@org.jspecify.annotations.Nullable Object value = this.names.get(0);", "}");
		assertThat(qualifiedNameViolations(MAIN_SOURCES.resolve("a/A.java"), lines)).containsExactly(
				"a/A.java:7: java.util.List", "a/A.java:7: java.util.ArrayList",
				"a/A.java:9: org.jspecify.annotations.Nullable");
	}

	@Test
	void scanFindsImportsOutOfOrder() {
		List<String> lines = List.of("package a;", "", "import java.util.Map;", "import java.util.List;", "",
				"import org.springframework.util.Assert;", "import io.waterhealer.Ordering;",
				"import org.apache.kafka.common.TopicPartition;", "", "import org.jspecify.annotations.Nullable;",
				"import static org.assertj.core.api.Assertions.fail;", "", "class A {", "}");
		assertThat(importOrderViolations(MAIN_SOURCES.resolve("a/A.java"), lines)).containsExactly(
				"a/A.java:4: import java.util.List belongs before java.util.Map",
				"a/A.java:7: import io.waterhealer.Ordering (other) belongs before the org.springframework.* imports",
				"a/A.java:10: blank line inside the other imports, before org.jspecify.annotations.Nullable",
				"a/A.java:11: no blank line between the other and static imports, before org.assertj.core.api.Assertions.fail");
	}

	static List<String> importOrderViolations(Path file, List<String> lines) {
		List<String> violations = new ArrayList<>();
		String previous = null;
		int previousGroup = -1;
		int previousLine = -1;
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i).strip();
			Matcher matcher = IMPORT.matcher(line);
			if (!matcher.matches()) {
				if (isTypeDeclarationStart(line)) {
					break;
				}
				continue;
			}
			boolean isStatic = matcher.group(1) != null;
			String name = matcher.group(2);
			int group = isStatic ? 3 : groupOf(name);
			int lineNumber = i + 1;
			if (previous != null) {
				boolean blankBefore = lineNumber - previousLine > 1;
				if (group < previousGroup) {
					violations.add(at(file, lineNumber, "import " + name + " (" + GROUP_NAMES[group]
							+ ") belongs before the " + GROUP_NAMES[previousGroup] + " imports"));
				}
				else if (group == previousGroup && name.compareTo(previous) < 0) {
					violations.add(at(file, lineNumber, "import " + name + " belongs before " + previous));
				}
				else if (group == previousGroup && blankBefore) {
					violations.add(at(file, lineNumber,
							"blank line inside the " + GROUP_NAMES[group] + " imports, before " + name));
				}
				else if (group > previousGroup && !blankBefore) {
					violations.add(at(file, lineNumber, "no blank line between the " + GROUP_NAMES[previousGroup]
							+ " and " + GROUP_NAMES[group] + " imports, before " + name));
				}
			}
			previous = name;
			previousGroup = group;
			previousLine = lineNumber;
		}
		return violations;
	}

	static List<String> qualifiedNameViolations(Path file, List<String> lines) {
		List<String> violations = new ArrayList<>();
		List<String> code = codeOnly(lines);
		for (int i = 0; i < code.size(); i++) {
			String line = code.get(i).strip();
			if (line.startsWith("package ") || line.startsWith("import ")) {
				continue;
			}
			Matcher matcher = QUALIFIED_NAME.matcher(line);
			while (matcher.find()) {
				violations.add(at(file, i + 1, matcher.group()));
			}
		}
		return violations;
	}

	private static int groupOf(String name) {
		if (name.startsWith("java.") || name.startsWith("javax.")) {
			return 0;
		}
		return name.startsWith("org.springframework.") ? 2 : 1;
	}

	private static boolean isTypeDeclarationStart(String line) {
		return line.matches(
				"^(public |protected |private |abstract |final |sealed |non-sealed |static )*(class|interface|enum|record|@interface) .*");
	}

	/**
	 * The lines with comments, string and character literals blanked out (line breaks kept), so that a qualified name
	 * in javadoc or in a message does not count.
	 */
	static List<String> codeOnly(List<String> lines) {
		String source = String.join("\n", lines);
		StringBuilder code = new StringBuilder(source.length());
		int i = 0;
		while (i < source.length()) {
			char c = source.charAt(i);
			if (source.startsWith("/*", i)) {
				i = blankUntil(source, i, source.indexOf("*/", i + 2), 2, code);
			}
			else if (source.startsWith("//", i)) {
				i = blankUntil(source, i, source.indexOf('\n', i), 0, code);
			}
			else if (source.startsWith("\"\"\"", i)) {
				i = blankUntil(source, i, source.indexOf("\"\"\"", i + 3), 3, code);
			}
			else if (c == '"' || c == '\'') {
				int end = i + 1;
				while (end < source.length() && source.charAt(end) != c && source.charAt(end) != '\n') {
					end += (source.charAt(end) == '\\') ? 2 : 1;
				}
				i = blankUntil(source, i, end, 1, code);
			}
			else {
				code.append(c);
				i++;
			}
		}
		return List.of(code.toString().split("\n", -1));
	}

	/** Appends blanks (keeping line breaks) from {@code start} to {@code end + tail}; returns where to go on. */
	private static int blankUntil(String source, int start, int end, int tail, StringBuilder code) {
		int stop = (end < 0) ? source.length() : Math.min(source.length(), end + tail);
		for (int j = start; j < stop; j++) {
			code.append((source.charAt(j) == '\n') ? '\n' : ' ');
		}
		return stop;
	}

	private static String at(Path file, int line, String message) {
		return MAIN_SOURCES.relativize(file).toString().replace('\\', '/') + ":" + line + ": " + message;
	}

	private static void assertNone(String what, List<String> violations) {
		if (!violations.isEmpty()) {
			fail(violations.size() + " " + what + " in " + MAIN_SOURCES + ":\n" + String.join("\n", violations));
		}
	}

	private static List<Path> mainSources() {
		try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
			return files.filter((file) -> file.toString().endsWith(".java")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<String> readLines(Path file) {
		try {
			return Files.readAllLines(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
