//go:build ignore

// gen.go writes the 16 PNG images used by the sandbox bank's reproduction
// of Laurentienne Bank's "image selection" MFA, where the user must pick
// their personal image among 16: apple, boat, car, cat, cloud, dog, fish,
// flower, heart, house, key, moon, star, sun, tree and umbrella.
//
// Each image is a small drawing made of filled geometric shapes on its own
// background colour. The seed document says the image strings are "around
// 4,000 characters" of base64, so a mild, deterministic noise texture is
// added to the background and its density is tuned per image until the
// PNG file is about 3,000 bytes (about 4,000 base64 characters). The
// generator fails (exit 1) if a file falls outside 2,700-3,300 bytes.
//
// Only the standard library is used and the random source has a fixed
// seed, so every run writes byte-for-byte identical files.
//
// Run it from this directory:
//
//	cd connectors/sandbox/scenarios/images && go run gen.go
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
)

const (
	size    = 64   // width and height in pixels
	target  = 3000 // wanted PNG size in bytes
	minSize = 2700
	maxSize = 3300
	amp     = 6 // noise amplitude, in colour levels
)

// shape reports whether the point (x, y), in pixel units, is inside.
type shape func(x, y float64) bool

func disc(cx, cy, r float64) shape {
	return func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r }
}

func ellipse(cx, cy, rx, ry float64) shape {
	return func(x, y float64) bool {
		dx, dy := (x-cx)/rx, (y-cy)/ry
		return dx*dx+dy*dy <= 1
	}
}

func rect(x0, y0, x1, y1 float64) shape {
	return func(x, y float64) bool { return x >= x0 && x <= x1 && y >= y0 && y <= y1 }
}

// poly is a polygon given as x0, y0, x1, y1, ... (even-odd rule).
func poly(p ...float64) shape {
	return func(x, y float64) bool {
		in := false
		n := len(p) / 2
		for i, j := 0, n-1; i < n; j, i = i, i+1 {
			xi, yi, xj, yj := p[2*i], p[2*i+1], p[2*j], p[2*j+1]
			if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
				in = !in
			}
		}
		return in
	}
}

// line is a segment of width w with round ends.
func line(x0, y0, x1, y1, w float64) shape {
	return func(x, y float64) bool {
		dx, dy := x1-x0, y1-y0
		t := ((x-x0)*dx + (y-y0)*dy) / (dx*dx + dy*dy)
		t = math.Max(0, math.Min(1, t))
		px, py := x0+t*dx-x, y0+t*dy-y
		return px*px+py*py <= w*w/4
	}
}

func minus(a, b shape) shape { return func(x, y float64) bool { return a(x, y) && !b(x, y) } }

func and(a, b shape) shape { return func(x, y float64) bool { return a(x, y) && b(x, y) } }

func or(s ...shape) shape {
	return func(x, y float64) bool {
		for _, f := range s {
			if f(x, y) {
				return true
			}
		}
		return false
	}
}

// star is a regular star polygon with n points centred on (cx, cy).
func star(cx, cy, r0, r1 float64, n int) shape {
	var p []float64
	for i := 0; i < 2*n; i++ {
		r := r0
		if i%2 == 1 {
			r = r1
		}
		a := -math.Pi/2 + float64(i)*math.Pi/float64(n)
		p = append(p, cx+r*math.Cos(a), cy+r*math.Sin(a))
	}
	return poly(p...)
}

// canvas paints shapes with 4x4 supersampled anti-aliasing.
type canvas struct{ img *image.NRGBA }

func (c canvas) paint(col color.NRGBA, s shape) {
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			n := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					if s(float64(px)+(float64(sx)+0.5)/4, float64(py)+(float64(sy)+0.5)/4) {
						n++
					}
				}
			}
			if n == 0 {
				continue
			}
			o := c.img.NRGBAAt(px, py)
			mix := func(a, b uint8) uint8 { return uint8((int(a)*(16-n) + int(b)*n + 8) / 16) }
			c.img.SetNRGBA(px, py, color.NRGBA{mix(o.R, col.R), mix(o.G, col.G), mix(o.B, col.B), 255})
		}
	}
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 255} }

var (
	black  = rgb(20, 20, 20)
	white  = rgb(250, 250, 250)
	brown  = rgb(120, 72, 32)
	green  = rgb(40, 150, 50)
	red    = rgb(215, 30, 40)
	yellow = rgb(250, 210, 30)
	grey   = rgb(130, 130, 135)
)

type picture struct {
	name string
	bg   color.NRGBA
	draw func(c canvas)
}

var pictures = []picture{
	{"apple", rgb(255, 236, 200), func(c canvas) {
		c.paint(red, or(disc(25, 38, 17), disc(39, 38, 17), ellipse(32, 48, 14, 10)))
		c.paint(brown, line(32, 24, 35, 11, 3))
		c.paint(green, ellipse(42, 15, 7, 3.5))
	}},
	{"boat", rgb(170, 215, 245), func(c canvas) {
		c.paint(rgb(30, 90, 180), rect(0, 50, 64, 64))
		c.paint(brown, poly(6, 42, 58, 42, 49, 54, 15, 54))
		c.paint(black, rect(31, 8, 33, 42))
		c.paint(white, poly(34, 9, 34, 39, 54, 39))
		c.paint(rgb(240, 80, 60), poly(30, 12, 30, 39, 12, 39))
	}},
	{"car", rgb(225, 225, 225), func(c canvas) {
		c.paint(rgb(30, 80, 200), or(rect(4, 30, 60, 46), poly(16, 30, 22, 17, 44, 17, 52, 30)))
		c.paint(rgb(190, 230, 250), or(poly(19, 29, 24, 20, 32, 20, 32, 29), poly(35, 29, 35, 20, 43, 20, 48, 29)))
		c.paint(black, or(disc(17, 46, 7), disc(47, 46, 7)))
		c.paint(grey, or(disc(17, 46, 3), disc(47, 46, 3)))
		c.paint(yellow, rect(56, 33, 60, 37))
	}},
	{"cat", rgb(200, 240, 200), func(c canvas) {
		c.paint(rgb(240, 150, 50), or(ellipse(32, 38, 21, 18), poly(12, 30, 14, 6, 28, 22), poly(52, 30, 50, 6, 36, 22)))
		c.paint(rgb(90, 180, 60), or(ellipse(24, 34, 4, 5), ellipse(40, 34, 4, 5)))
		c.paint(black, or(ellipse(24, 34, 1.2, 4), ellipse(40, 34, 1.2, 4)))
		c.paint(rgb(240, 120, 150), poly(29, 42, 35, 42, 32, 46))
		c.paint(black, or(line(4, 42, 22, 45, 1), line(4, 49, 22, 47, 1), line(60, 42, 42, 45, 1), line(60, 49, 42, 47, 1)))
	}},
	{"cloud", rgb(90, 160, 230), func(c canvas) {
		c.paint(white, or(disc(20, 36, 11), disc(32, 28, 14), disc(45, 35, 11), rect(12, 36, 52, 47), disc(12, 41, 6), disc(52, 41, 6)))
	}},
	{"dog", rgb(250, 240, 170), func(c canvas) {
		c.paint(rgb(170, 110, 60), ellipse(32, 34, 18, 20))
		c.paint(rgb(100, 60, 30), or(ellipse(13, 32, 7, 15), ellipse(51, 32, 7, 15)))
		c.paint(rgb(230, 200, 160), ellipse(32, 45, 10, 8))
		c.paint(black, or(disc(25, 28, 3), disc(39, 28, 3), ellipse(32, 40, 4.5, 3)))
		c.paint(rgb(230, 70, 90), ellipse(32, 52, 3.5, 4))
	}},
	{"fish", rgb(40, 110, 190), func(c canvas) {
		c.paint(rgb(250, 140, 20), or(ellipse(28, 32, 20, 12), poly(42, 32, 60, 18, 60, 46)))
		c.paint(white, disc(17, 29, 4))
		c.paint(black, disc(16, 29, 2))
		c.paint(rgb(200, 90, 10), poly(24, 20, 34, 12, 36, 21))
		c.paint(white, or(disc(8, 12, 2.5), disc(12, 5, 1.8)))
	}},
	{"flower", rgb(200, 230, 255), func(c canvas) {
		c.paint(green, or(rect(31, 30, 33, 64), ellipse(40, 50, 7, 3)))
		for i := 0; i < 6; i++ {
			a := float64(i) * math.Pi / 3
			c.paint(rgb(230, 60, 160), disc(32+11*math.Cos(a), 24+11*math.Sin(a), 7))
		}
		c.paint(yellow, disc(32, 24, 7))
	}},
	{"heart", rgb(255, 215, 225), func(c canvas) {
		c.paint(red, or(disc(22, 24, 12), disc(42, 24, 12), poly(10.5, 28, 53.5, 28, 32, 54)))
	}},
	{"house", rgb(180, 225, 160), func(c canvas) {
		c.paint(rgb(230, 200, 140), rect(12, 30, 52, 58))
		c.paint(rgb(180, 40, 30), poly(6, 31, 32, 8, 58, 31))
		c.paint(brown, rect(27, 40, 37, 58))
		c.paint(rgb(140, 200, 250), or(rect(15, 36, 23, 44), rect(41, 36, 49, 44)))
	}},
	{"key", rgb(110, 60, 130), func(c canvas) {
		gold := rgb(240, 190, 40)
		c.paint(gold, or(minus(disc(18, 32, 12), disc(18, 32, 5)), rect(28, 29, 60, 35), rect(48, 35, 52, 43), rect(55, 35, 59, 41)))
	}},
	{"moon", rgb(20, 25, 70), func(c canvas) {
		c.paint(rgb(250, 240, 170), minus(disc(30, 32, 20), disc(40, 26, 18)))
		c.paint(white, or(star(50, 44, 4, 1.6, 5), star(52, 14, 3, 1.2, 5)))
	}},
	{"star", rgb(40, 40, 120), func(c canvas) {
		c.paint(yellow, star(32, 34, 28, 11, 5))
	}},
	{"sun", rgb(150, 210, 250), func(c canvas) {
		for i := 0; i < 12; i++ {
			a := float64(i) * math.Pi / 6
			c.paint(rgb(250, 160, 20), line(32+14*math.Cos(a), 32+14*math.Sin(a), 32+28*math.Cos(a), 32+28*math.Sin(a), 3))
		}
		c.paint(yellow, disc(32, 32, 14))
	}},
	{"tree", rgb(235, 245, 255), func(c canvas) {
		c.paint(brown, poly(28, 60, 36, 60, 34, 34, 30, 34))
		c.paint(rgb(30, 130, 40), or(disc(32, 22, 14), disc(20, 32, 10), disc(44, 32, 10), disc(32, 36, 10)))
	}},
	{"umbrella", rgb(255, 250, 200), func(c canvas) {
		top := and(disc(32, 32, 26), rect(0, 0, 64, 32))
		c.paint(rgb(200, 30, 120), minus(top, or(disc(15, 34, 8.5), disc(32, 34, 8.5), disc(49, 34, 8.5))))
		c.paint(black, or(rect(31, 6, 33, 52), and(minus(disc(27, 52, 6), disc(27, 52, 4)), rect(0, 52, 64, 64))))
	}},
}

// render draws p with the given noise density (0..1000 per mille of the
// background pixels get a random offset of up to ±amp levels).
func render(i int, p picture, density int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.Draw(img, img.Bounds(), image.NewUniform(p.bg), image.Point{}, draw.Src)
	rng := rand.New(rand.NewPCG(1, 2+uint64(i)))
	clamp := func(v int) uint8 { return uint8(max(0, min(255, v))) }
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			d := rng.IntN(2*amp+1) - amp
			if rng.IntN(1000) >= density {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{clamp(int(p.bg.R) + d), clamp(int(p.bg.G) + d), clamp(int(p.bg.B) + d), 255})
		}
	}
	p.draw(canvas{img})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		fmt.Fprintln(os.Stderr, p.name, err)
		os.Exit(1)
	}
	return buf.Bytes()
}

func main() {
	for i, p := range pictures {
		// Smallest density (in steps of 1%) whose file reaches the target.
		var data []byte
		density := 0
		for ; density <= 1000; density += 10 {
			data = render(i, p, density)
			if len(data) >= target {
				break
			}
		}
		if len(data) < minSize || len(data) > maxSize {
			fmt.Fprintf(os.Stderr, "%s.png: %d bytes, want %d-%d\n", p.name, len(data), minSize, maxSize)
			os.Exit(1)
		}
		if err := os.WriteFile(p.name+".png", data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%-12s %4d bytes (noise density %d per mille)\n", p.name+".png", len(data), density)
	}
}
