/// The work of one U-Net forward pass, counted as unet_ref.py's `flops` command counts it: the
/// multiply-adds of convolutions, linear layers and the two attention products (norms, SiLU and
/// softmax not counted).
public enum UNetCost {
    /// Multiply-adds per image: 16.18 M at ch = 32, 4.12 M at ch = 16 (the peer's figures).
    public static func forwardMultiplyAdds(_ net: UNet) -> Int {
        let ch = net.ch
        let e = UNet.embeddingWidth
        func conv(_ cin: Int, _ cout: Int, k: Int = 3, size: Int) -> Int { size * size * cout * cin * k * k }
        func res(_ cin: Int, _ cout: Int, size: Int) -> Int {
            conv(cin, cout, size: size) + e * cout + conv(cout, cout, size: size) + (cin == cout ? 0 : conv(cin, cout, k: 1, size: size))
        }
        let attention = conv(2 * ch, 6 * ch, k: 1, size: 4) + 2 * 16 * 16 * 2 * ch + conv(2 * ch, 2 * ch, k: 1, size: 4)
        return TimeEmbedding.width * e + e * e
            + conv(1, ch, size: 8) + res(ch, ch, size: 8) + 16 * ch * ch * 9
            + res(ch, 2 * ch, size: 4) + attention
            + res(2 * ch, 2 * ch, size: 4) + attention + res(2 * ch, 2 * ch, size: 4)
            + res(4 * ch, 2 * ch, size: 4) + attention + res(3 * ch, 2 * ch, size: 4) + attention
            + conv(2 * ch, 2 * ch, size: 8) + res(3 * ch, ch, size: 8) + res(2 * ch, ch, size: 8) + conv(ch, 1, size: 8)
    }
}
