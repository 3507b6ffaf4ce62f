package io.waterhealer.bench.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A contender's JVM: started from the test classpath, its output copied to a log file, its {@code BENCH} lines
 * parsed. {@link #stop()} asks it for its figures (CPU time and peak RSS of that JVM) and then kills it.
 */
final class ChildProcess implements AutoCloseable {

	private final Process process;

	private final Deque<String> lastLines = new ArrayDeque<>();

	private final Map<String, Long> done = new HashMap<>();

	private final CountDownLatch doneLine = new CountDownLatch(1);

	private volatile long firstMicros;

	private ChildProcess(Process process, Path log) {
		this.process = process;
		Thread reader = new Thread(() -> copy(log), "bench-child-" + process.pid());
		reader.setDaemon(true);
		reader.start();
	}

	static ChildProcess start(Contender contender, BenchSettings settings, Map<String, String> properties,
			Path log) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(contender.java());
		command.addAll(settings.jvmArgs());
		properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
		command.add("-Dbench.parallelism=" + contender.parallelism());
		command.add("-Dbench.ordering=" + (contender.ordering().isEmpty() ? "UNORDERED" : contender.ordering()));
		command.add("-Dbench.commitMillis=" + settings.commitMillis());
		command.add("-Dbench.maxPollRecords=" + settings.maxPollRecords());
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), ContenderMain.class.getName(),
				contender.kind().name()));
		command.addAll(contender.arguments());
		Files.createDirectories(log.getParent());
		Files.writeString(log, String.join(" ", command) + "\n");
		return new ChildProcess(new ProcessBuilder(command).redirectErrorStream(true).start(), log);
	}

	private void copy(Path log) {
		try (BufferedReader in = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
						java.nio.file.StandardOpenOption.APPEND))) {
			String line;
			while ((line = in.readLine()) != null) {
				out.println(line);
				out.flush();
				if (line.startsWith("BENCH first=")) {
					this.firstMicros = Long.parseLong(line.substring("BENCH first=".length()).trim());
				}
				else if (line.startsWith("BENCH done ")) {
					synchronized (this.done) {
						for (String pair : line.substring("BENCH done ".length()).trim().split(" ")) {
							String[] nameValue = pair.split("=", 2);
							this.done.put(nameValue[0], Long.parseLong(nameValue[1]));
						}
					}
					this.doneLine.countDown();
				}
				synchronized (this.lastLines) {
					this.lastLines.addLast(line);
					if (this.lastLines.size() > 8) {
						this.lastLines.removeFirst();
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// the child died; isAlive() tells the orchestrator
		}
	}

	boolean alive() {
		return this.process.isAlive();
	}

	long firstMicros() {
		return this.firstMicros;
	}

	/** Why the child is gone, with its last lines of output. */
	String death() {
		synchronized (this.lastLines) {
			return "exited with status " + this.process.exitValue() + ": " + String.join(" | ", this.lastLines);
		}
	}

	/** Asks the child for its figures (waits up to 30 s), then kills it; null when it never answered. */
	Map<String, Long> stop() throws InterruptedException {
		try {
			OutputStream in = this.process.getOutputStream();
			in.write('\n');
			in.flush();
		}
		catch (IOException ex) {
			// already gone
		}
		boolean answered = this.doneLine.await(30, TimeUnit.SECONDS);
		close();
		synchronized (this.done) {
			return answered ? Map.copyOf(this.done) : null;
		}
	}

	/** SIGKILL. */
	void kill() throws InterruptedException {
		close();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

}
