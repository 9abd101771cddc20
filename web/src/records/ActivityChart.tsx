import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { RecordEngagement } from '../contract.ts';

// Only what the bar chart needs is registered: the rest of Chart.js stays out of the bundle.
ChartJS.register(BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Emails out and in, human opens and replies per week, as grouped bars. */
export default function ActivityChart({ weeks }: { weeks: RecordEngagement['weeks'] }) {
  const labels = weeks.map((w) =>
    new Date(w.weekStart).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' }),
  );
  const series = [
    { label: 'Emails out', key: 'emailsOut', color: '#2f5bd3' },
    { label: 'Emails in', key: 'emailsIn', color: '#7a8aa8' },
    { label: 'Opens', key: 'opens', color: '#f0a202' },
    { label: 'Replies', key: 'replies', color: '#067647' },
  ] as const;
  // The canvas is an image to assistive technology: its name says what the bars add up to.
  const summary = `Over 12 weeks: ${series
    .map((s) => `${s.label.toLowerCase()} ${weeks.reduce((sum, w) => sum + w[s.key], 0)}`)
    .join(', ')}`;
  return (
    <figure className="activity-chart" aria-label="Activity per week, last 12 weeks">
      <div className="activity-chart-canvas">
        <Bar
          aria-label={summary}
          data={{
            labels,
            datasets: series.map((s) => ({
              label: s.label,
              data: weeks.map((w) => w[s.key]),
              backgroundColor: s.color,
            })),
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
            plugins: { legend: { position: 'bottom' } },
          }}
        />
      </div>
      <figcaption className="note">Per week, last 12 weeks; opens by people only.</figcaption>
    </figure>
  );
}
