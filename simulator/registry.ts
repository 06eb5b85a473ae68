import type { SenderProfileName } from '../shared/schemas/legacy-emc.ts';
import type { UnitInput } from '../shared/schemas/registry.ts';

const MINISTRIES = [
  'Bộ Công an',
  'Bộ Quốc phòng',
  'Bộ Ngoại giao',
  'Bộ Nội vụ',
  'Bộ Tư pháp',
  'Bộ Kế hoạch và Đầu tư',
  'Bộ Tài chính',
  'Bộ Công Thương',
  'Bộ Nông nghiệp và Phát triển nông thôn',
  'Bộ Giao thông vận tải',
  'Bộ Xây dựng',
  'Bộ Tài nguyên và Môi trường',
  'Bộ Thông tin và Truyền thông',
  'Bộ Lao động - Thương binh và Xã hội',
  'Bộ Văn hóa, Thể thao và Du lịch',
  'Bộ Khoa học và Công nghệ',
  'Bộ Giáo dục và Đào tạo',
  'Bộ Y tế',
  'Bảo hiểm xã hội Việt Nam',
  'Tập đoàn Điện lực Việt Nam',
];

const PROVINCES = [
  'Hà Nội',
  'Hà Giang',
  'Cao Bằng',
  'Bắc Kạn',
  'Tuyên Quang',
  'Lào Cai',
  'Điện Biên',
  'Lai Châu',
  'Sơn La',
  'Yên Bái',
  'Hòa Bình',
  'Thái Nguyên',
  'Lạng Sơn',
  'Quảng Ninh',
  'Bắc Giang',
  'Phú Thọ',
  'Vĩnh Phúc',
  'Bắc Ninh',
  'Hải Dương',
  'Hải Phòng',
  'Hưng Yên',
  'Thái Bình',
  'Hà Nam',
  'Nam Định',
  'Ninh Bình',
  'Thanh Hóa',
  'Nghệ An',
  'Hà Tĩnh',
  'Quảng Bình',
  'Quảng Trị',
  'Thừa Thiên Huế',
  'Đà Nẵng',
  'Quảng Nam',
  'Quảng Ngãi',
  'Bình Định',
  'Phú Yên',
  'Khánh Hòa',
  'Ninh Thuận',
  'Bình Thuận',
  'Kon Tum',
  'Gia Lai',
  'Đắk Lắk',
  'Đắk Nông',
  'Lâm Đồng',
  'Bình Phước',
  'Tây Ninh',
  'Bình Dương',
  'Đồng Nai',
  'Bà Rịa - Vũng Tàu',
  'Thành phố Hồ Chí Minh',
  'Long An',
  'Tiền Giang',
  'Bến Tre',
  'Trà Vinh',
  'Vĩnh Long',
  'Đồng Tháp',
  'An Giang',
  'Kiên Giang',
  'Cần Thơ',
  'Hậu Giang',
  'Sóc Trăng',
  'Bạc Liêu',
  'Cà Mau',
];

const LEVELS = [
  { prefix: '000.00', level: 'province-department', name: 'Sở' },
  { prefix: '000.20', level: 'district', name: 'UBND huyện' },
  { prefix: '000.40', level: 'commune', name: 'UBND xã' },
];

/**
 * Units whose only integration is an existing TrackingMCDT sender: no heartbeats, catalogue or daily totals.
 * They are judged on the legacy criteria, and connected when their feed works.
 */
export const LEGACY_ONLY_UNITS: Readonly<Record<string, SenderProfileName>> = {
  H09: 'opencps',
  H27: 'opencps',
  H44: 'dichvucong-dotnet',
  G16: 'dichvucong-dotnet',
};

/** The 2024 registry: 20 ministries and sectors (G01–G20) and 63 provinces (H01–H63), with agencies. */
export function demoRegistry(agenciesPerUnit = 6): UnitInput[] {
  const agencies = (unitCode: string, ministry: boolean) =>
    Array.from({ length: agenciesPerUnit }, (_, i) => {
      const level = ministry
        ? { prefix: '000.00', level: 'department', name: 'Cục' }
        : (LEVELS[i % LEVELS.length] ?? LEVELS[0]);
      const group = String(10 + i).padStart(2, '0');
      return {
        agencyCode: `${level?.prefix}.${group}.${unitCode}`,
        name: `${level?.name} ${i + 1}`,
        level: level?.level ?? 'department',
      };
    });
  const units: UnitInput[] = [
    ...MINISTRIES.map((name, i) => {
      const unitCode = `G${String(i + 1).padStart(2, '0')}`;
      return {
        unitCode,
        name,
        kind: 'ministry' as const,
        systems: ['tthc'],
        agencies: agencies(unitCode, true),
      };
    }),
    ...PROVINCES.map((name, i) => {
      const unitCode = `H${String(i + 1).padStart(2, '0')}`;
      return {
        unitCode,
        name,
        kind: 'province' as const,
        systems: ['tthc', 'portal'],
        agencies: agencies(unitCode, false),
      };
    }),
  ];
  return units.map((unit) => {
    const sender = LEGACY_ONLY_UNITS[unit.unitCode];
    return sender ? { ...unit, systems: [], sender } : unit;
  });
}
