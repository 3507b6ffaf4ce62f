package io.waterhealer.bench.peers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

import io.waterhealer.bench.peers.Report.Row;

/** A PNG of horizontal bars: W1 and W2 committed rec/s, W3 records re-processed; waterhealer in green. */
final class Chart {

	private static final int WIDTH = 1100;

	private static final int BAR = 22;

	private static final int LABEL = 420;

	private Chart() {
	}

	static void write(Path file, Map<String, Row> w1, Map<String, Row> w2, Map<String, Row> w3) throws IOException {
		List<Panel> panels = new ArrayList<>();
		if (!w1.isEmpty()) {
			panels.add(new Panel("W1 committed records/s (median)", w1, false));
		}
		if (!w2.isEmpty()) {
			panels.add(new Panel("W2 committed records/s (median)", w2, false));
		}
		if (!w3.isEmpty()) {
			panels.add(new Panel("W3 completed records processed again after SIGKILL (median, lower is better)", w3, true));
		}
		int height = 20 + panels.stream().mapToInt((panel) -> 50 + panel.rows().size() * (BAR + 6)).sum();
		BufferedImage image = new BufferedImage(WIDTH, Math.max(height, 60), BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, image.getWidth(), image.getHeight());
		int y = 20;
		for (Panel panel : panels) {
			y = panel.draw(g, y);
		}
		g.dispose();
		ImageIO.write(image, "png", file.toFile());
	}

	private record Panel(String title, Map<String, Row> rows, boolean reprocessed) {

		int draw(Graphics2D g, int top) {
			g.setColor(Color.BLACK);
			g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
			g.drawString(this.title, 10, top + 18);
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
			double max = this.rows.values().stream().filter(Row::ok).mapToDouble(this::value).max().orElse(1);
			int width = WIDTH - LABEL - 150;
			int y = top + 36;
			for (Row row : this.rows.values()) {
				g.setColor(Color.DARK_GRAY);
				g.drawString(fit(g, row.contender()), 10, y + BAR - 6);
				if (row.ok()) {
					double value = value(row);
					int length = (int) Math.round(width * value / Math.max(max, 1e-9));
					g.setColor(row.contender().startsWith("waterhealer") ? new Color(0x2e7d32) : new Color(0x607d8b));
					g.fillRect(LABEL, y, Math.max(length, 1), BAR);
					g.setColor(Color.BLACK);
					g.drawString(String.format(Locale.ROOT, "%,.0f", value), LABEL + Math.max(length, 1) + 6, y + BAR - 6);
				}
				else {
					g.setColor(Color.RED);
					g.drawString("failed", LABEL, y + BAR - 6);
				}
				y += BAR + 6;
			}
			g.setColor(Color.LIGHT_GRAY);
			g.setStroke(new BasicStroke(1));
			g.drawLine(LABEL, top + 30, LABEL, y);
			return y + 14;
		}

		private static String fit(Graphics2D g, String label) {
			String text = label;
			while (g.getFontMetrics().stringWidth(text) > LABEL - 20 && text.length() > 4) {
				text = text.substring(0, text.length() - 2);
			}
			return text.equals(label) ? label : text + "…";
		}

		private double value(Row row) {
			return this.reprocessed ? row.reprocessed() : row.committed();
		}

	}

}
