import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { LatestSnapshot, UnitSnapshot } from '../../shared/schemas/snapshot.ts';
import type { Lang } from './data.ts';
import { t } from './i18n.ts';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
  Filler,
);
const charts: Chart[] = [];

/** The unit page's two trend charts; the same figures are always in the table beside them. */
export function drawCharts(unit: UnitSnapshot, lang: Lang): void {
  for (const chart of charts.splice(0)) chart.destroy();
  const labels = unit.series.map((d) => d.date.slice(5));
  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    plugins: { legend: { position: 'bottom' as const } },
  };
  const volume = document.getElementById('chart-volume') as HTMLCanvasElement | null;
  const rates = document.getElementById('chart-rates') as HTMLCanvasElement | null;
  if (volume) {
    charts.push(
      new Chart(volume, {
        type: 'line',
        data: {
          labels,
          datasets: [
            {
              label: t(lang, 'received'),
              data: unit.series.map((d) => d.kpis.dossiersReceived),
              borderColor: '#1f4e8c',
              backgroundColor: '#1f4e8c22',
              fill: true,
              pointRadius: 0,
            },
            {
              label: t(lang, 'receivedOnline'),
              data: unit.series.map((d) => d.kpis.dossiersReceivedOnline),
              borderColor: '#b3261e',
              pointRadius: 0,
            },
          ],
        },
        options,
      }),
    );
  }
  if (rates) {
    const percent = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 10);
    charts.push(
      new Chart(rates, {
        type: 'line',
        data: {
          labels,
          datasets: [
            {
              label: `${t(lang, 'onlineRate')} (%)`,
              data: unit.series.map((d) => percent(d.kpis.onlineRate)),
              borderColor: '#1f4e8c',
              pointRadius: 0,
              spanGaps: true,
            },
            {
              label: `${t(lang, 'onTimeRate')} (%)`,
              data: unit.series.map((d) => percent(d.kpis.onTimeRate)),
              borderColor: '#2e7d32',
              pointRadius: 0,
              spanGaps: true,
            },
          ],
        },
        options: { ...options, scales: { y: { min: 0, max: 100 } } },
      }),
    );
  }
}

const nationalCharts: Chart[] = [];

/** The overview's national trend: three rates over 90 days, each with its target as a dashed line. */
export function drawNationalTrends(snapshot: LatestSnapshot, lang: Lang): void {
  for (const chart of nationalCharts.splice(0)) chart.destroy();
  const canvas = document.getElementById('chart-national') as HTMLCanvasElement | null;
  if (!canvas || snapshot.national.series.length === 0) return;
  const series = snapshot.national.series;
  const percent = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 10);
  const lines = [
    { id: 'onlineRate', colour: '#1f4e8c' },
    { id: 'fullOnlineRate', colour: '#6a3d9a' },
    { id: 'onTimeRate', colour: '#2e7d32' },
  ] as const;
  const datasets = lines.flatMap(({ id, colour }) => {
    const target = snapshot.national.targets[id]?.target;
    return [
      {
        label: `${t(lang, id)} (%)`,
        data: series.map((d) => percent(d[id])),
        borderColor: colour,
        pointRadius: 0,
        spanGaps: true,
      },
      ...(target === undefined
        ? []
        : [
            {
              label: `${t(lang, 'target')} ${percent(target)}%`,
              data: series.map(() => percent(target)),
              borderColor: colour,
              borderDash: [6, 4],
              borderWidth: 1,
              pointRadius: 0,
            },
          ]),
    ];
  });
  nationalCharts.push(
    new Chart(canvas, {
      type: 'line',
      data: { labels: series.map((d) => d.date.slice(5)), datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { min: 0, max: 100 } },
      },
    }),
  );
}
