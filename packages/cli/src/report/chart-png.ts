import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { ChartOption } from './chart-options';

/**
 * An ECharts option rendered without a browser: ECharts' server-side SVG renderer, then resvg
 * to PNG (system fonts; DejaVu Sans on Debian). For terminals and issues, where HTML is not shown.
 */
export function renderChartPng(option: ChartOption, width = 1000, height = 420): Buffer {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption({ ...option, animation: false, backgroundColor: '#ffffff' });
    svg = chart.renderToSVGString();
  } finally {
    // dispose stops zrender's animation loop, which would otherwise keep the process alive
    chart.dispose();
  }
  const png = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  return png;
}
