// The range as two bar charts — net revenue, and joins beside sales — drawn as SVG, with the same
// figures as a table for screen readers and for reading exact values.
import type { Dashboard } from '../../api.ts';
import { formatMoney } from '../../format.ts';
import { TableWrap } from '../../ui.tsx';
import { amountsText, type ChartPoint, chartPoints, niceMax } from './model.ts';

const WIDTH = 640;
const HEIGHT = 160;
const GAP = 2;

function Bars({
  points,
  series,
  title,
  format,
}: {
  points: ChartPoint[];
  series: { key: 'joins' | 'sales' | 'revenueMinor'; className: string }[];
  title: string;
  format: (value: number) => string;
}) {
  const max = niceMax(Math.max(0, ...points.flatMap((point) => series.map((s) => point[s.key]))));
  const slot = WIDTH / Math.max(1, points.length);
  const bar = Math.max(1, (slot - GAP) / series.length);
  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">(up to {format(max)})</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="chart-axis" />
        <line x1="0" y1="0.5" x2={WIDTH} y2="0.5" className="chart-grid" />
        {points.map((point, index) =>
          series.map((s, which) => {
            const value = Math.max(0, point[s.key]);
            const height = (value / max) * (HEIGHT - 2);
            return (
              <rect
                key={`${point.date}-${s.key}`}
                className={s.className}
                x={index * slot + which * bar}
                y={HEIGHT - 1 - height}
                width={bar}
                height={height}
              >
                <title>{`${point.label}: ${format(point[s.key])}`}</title>
              </rect>
            );
          }),
        )}
      </svg>
      <div className="chart-dates muted" aria-hidden="true">
        <span>{points[0]?.label}</span>
        <span>{points.at(-1)?.label}</span>
      </div>
    </figure>
  );
}

export function Chart({ view, currency }: { view: Dashboard; currency: string }) {
  const points = chartPoints(view, currency);
  const money = (minor: number) => formatMoney(minor, currency);
  return (
    <>
      <div className="chart-legend" aria-hidden="true">
        <span className="swatch swatch-revenue" /> Net revenue ({currency.toUpperCase()})
        <span className="swatch swatch-joins" /> Joins
        <span className="swatch swatch-sales" /> Sales
      </div>
      <Bars
        points={points}
        series={[{ key: 'revenueMinor', className: 'bar-revenue' }]}
        title="Net revenue"
        format={money}
      />
      <Bars
        points={points}
        series={[
          { key: 'joins', className: 'bar-joins' },
          { key: 'sales', className: 'bar-sales' },
        ]}
        title="Joins and sales"
        format={(value) => value.toLocaleString()}
      />
      <details className="chart-table">
        <summary>Show as a table</summary>
        <TableWrap label="Figures by day or month">
          <table>
            <thead>
              <tr>
                <th scope="col">{view.byMonth ? 'Month' : 'Day'}</th>
                <th scope="col" className="numeric">
                  New members
                </th>
                <th scope="col" className="numeric">
                  Joins
                </th>
                <th scope="col" className="numeric">
                  Sales
                </th>
                <th scope="col" className="numeric">
                  Net revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {view.series.map((point, index) => (
                <tr key={point.date}>
                  <th scope="row">{points[index]?.label}</th>
                  <td className="numeric">{point.newMembers.toLocaleString()}</td>
                  <td className="numeric">{point.joins.toLocaleString()}</td>
                  <td className="numeric">{point.sales.toLocaleString()}</td>
                  <td className="numeric">{amountsText(point.netRevenue, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </>
  );
}
