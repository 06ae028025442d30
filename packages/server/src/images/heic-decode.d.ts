declare module 'heic-decode' {
  interface DecodedHeic {
    width: number;
    height: number;
    data: Uint8ClampedArray;
  }
  interface HeicImage {
    width: number;
    height: number;
    decode(): Promise<DecodedHeic>;
  }
  type HeicImageList = HeicImage[] & { dispose(): void };
  interface Decode {
    (opts: { buffer: ArrayBufferLike | Uint8Array }): Promise<DecodedHeic>;
    all(opts: { buffer: ArrayBufferLike | Uint8Array }): Promise<HeicImageList>;
  }
  const decode: Decode;
  export default decode;
}
