declare module "id-validator" {
  export default class IDValidator {
    constructor(gb2260?: unknown);
    isValid(id: string): boolean;
    getInfo(
      id: string,
    ): false | { addrCode: string; birth: string; sex: 0 | 1; length: number; checkBit: string };
    makeID(isFifteen?: boolean): string;
  }
}
