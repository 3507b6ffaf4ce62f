package io.waterhealer.bench.peers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a figure was measured on, because a figure from a busy 2-core machine means little without it. */
final class MachineInfo {

	private MachineInfo() {
	}

	static String describe() {
		return String.format(Locale.ROOT, "%d cores (%s), %s memory, %s %s, JDK %s (%s), load average %.2f",
				Runtime.getRuntime().availableProcessors(), procLine("/proc/cpuinfo", "model name"),
				procLine("/proc/meminfo", "MemTotal"), System.getProperty("os.name"), System.getProperty("os.version"),
				System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"), loadAverage());
	}

	static double loadAverage() {
		return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
	}

	private static String procLine(String file, String key) {
		try {
			return Files.readAllLines(Path.of(file))
				.stream()
				.filter((line) -> line.startsWith(key))
				.findFirst()
				.map((line) -> line.substring(line.indexOf(':') + 1).trim())
				.orElse("unknown");
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

}
