/** An ECharts chart that follows its container's size; options are plain ECharts options. */
import { BarChart, HeatmapChart, LineChart, RadarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([BarChart, HeatmapChart, LineChart, RadarChart, GridComponent, LegendComponent,
  TooltipComponent, VisualMapComponent, SVGRenderer]);

export type ChartOptions = echarts.EChartsCoreOption;

export function Chart(props: { options: ChartOptions; height?: number; label: string;
  onClick?: (params: { data?: unknown; name?: string; value?: unknown }) => void }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const { onClick } = props;
  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current, undefined, { renderer: "svg" });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => { observer.disconnect(); instance.dispose(); chart.current = null; };
  }, []);
  useEffect(() => { chart.current?.setOption(props.options, true); }, [props.options]);
  useEffect(() => {
    const instance = chart.current;
    if (!instance || !onClick) return;
    instance.on("click", onClick);
    return () => { instance.off("click", onClick); };
  }, [onClick]);
  return <div ref={element} role="img" aria-label={props.label} style={{ width: "100%", height: props.height ?? 320 }} />;
}
