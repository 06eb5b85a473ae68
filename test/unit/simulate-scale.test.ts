import { describe, expect, it } from 'vitest';
import { SimulationSizeError, simulationSize } from '../../simulator/simulate.ts';

describe('emc simulate --scale', () => {
  it('sends one national day of 200,000 dossiers with --scale national', () => {
    expect(simulationSize('national', undefined, undefined)).toEqual({ dossiers: 200_000, days: 1 });
  });

  it('keeps the demo size without a scale', () => {
    expect(simulationSize(undefined, undefined, undefined)).toEqual({ dossiers: 20_000, days: 14 });
  });

  it('lets --dossiers and --days override the scale', () => {
    expect(simulationSize('national', '20000', undefined)).toEqual({ dossiers: 20_000, days: 1 });
    expect(simulationSize('national', undefined, '2')).toEqual({ dossiers: 200_000, days: 2 });
  });

  it('refuses an unknown scale, naming the flag and the choices', () => {
    expect(() => simulationSize('regional', undefined, undefined)).toThrow(SimulationSizeError);
    expect(() => simulationSize('regional', undefined, undefined)).toThrow(
      '--scale must be one of demo, national, not regional',
    );
  });

  it('refuses a size one step below the smallest, and takes the smallest', () => {
    expect(() => simulationSize('national', '0', undefined)).toThrow(
      '--dossiers must be a positive whole number, not 0',
    );
    expect(() => simulationSize('national', '1.5', undefined)).toThrow(SimulationSizeError);
    expect(simulationSize('national', '1', '1')).toEqual({ dossiers: 1, days: 1 });
  });
});
